export { TELEMETRY_CODES } from './codes.js';
export type { FlowRecord, FlowSource } from './flow-record.js';
// --- decoders (packet/, pcap/, sflow/, netflow/, ipfix/, template-cache, decode-datagram) ---
export { ETHERTYPE, IP_PROTOCOL, LINK_TYPE, type PacketScratch, type ParsedPacket, newPacketScratch, packetFlowFields, parseFrameInto, parsePacket } from './packet/parse-packet.js';
export { formatIpv4At, formatIpv4U32, formatIpv6At } from './packet/format-address.js';
export { type CaptureFlows, captureToFlows, capturedPacketToFlow } from './pcap/capture-flows.js';
export { type CaptureFormat, CaptureParser, MAX_CAPTURE_RECORD_BYTES } from './pcap/capture-parser.js';
export { type CaptureReadResult, type CapturedPacket, readCapture } from './pcap/read-capture.js';
export { type CaptureFileOptions, type CaptureFileSummary, readCaptureFileBatches, streamCaptureFile } from './io/pcap-file.js';
export { type InterfaceCounterRecord, type InterfaceCounters, SFLOW_COUNTER_RECORD, SFLOW_FLOW_RECORD, SFLOW_HEADER_PROTOCOL, SFLOW_SAMPLE, type SflowCounterSample, type SflowDatagram, type SflowDecoded, type SflowExtendedSwitch, type SflowFlowData, type SflowFlowSample, type SflowRawHeader, type SflowSampledIp, decodeSflowDatagram, decodeSflowFlowsFast, encodeSflowDatagram, sflowCounterRecords, sflowToFlowRecords } from './sflow/index.js';
export { type Netflow5Datagram, type Netflow5Record, type Netflow9Decoded, type Netflow9Header, decodeNetflow5, decodeNetflow5Flows, decodeNetflow9, encodeNetflow5, netflow5ToFlowRecords } from './netflow/index.js';
export { IE, IPFIX_SET, type IpfixDecoded, type IpfixHeader, NETFLOW9_FLOWSET, type TemplateField, type TemplatePlan, type TemplatedDecodeContext, type TemplatedDecoded, VARIABLE_LENGTH, compileTemplate, decodeIpfix } from './ipfix/index.js';
export { ExporterScope, TEMPLATE_CACHE_DEFAULTS, TemplateCache, type TemplateCacheOptions, type TemplateCacheStats } from './template-cache.js';
export { type DatagramDecodeContext, type DatagramDecodeResult, FLOW_DATAGRAM_FORMATS, type FlowDatagramFormat, decodeFlowDatagram, sniffFlowFormat } from './decode-datagram.js';
// --- end decoders ---
// --- collector, synthetic traffic and exporters (io/udp-collector, collector-metrics, synth/, export/, io/exporter-sender) ---
export { type CollectorFormat, type CollectorListener, type CollectorOptions, type CollectorStats, DEFAULT_RECV_BUFFER_BYTES, UdpCollector } from './io/udp-collector.js';
export { COLLECTOR_METRIC_NAMES, CollectorMetrics } from './collector-metrics.js';
export { ExporterSender, type SendOptions, type SendStats, isLoopbackAddress } from './io/exporter-sender.js';
export { EXPORT_FORMATS, type ExportBatch, type ExportFlow, type ExportFormat, type ExportStreamOptions, FlowMeter, buildWirePacket, describeWirePacket, exportStream, writePcap, writePcapng } from './export/index.js';
export { type AttackPlan, type SynthPacket, TRAFFIC_SCENARIO_NAMES, type TrafficPlan, type TrafficScenarioName, defaultTrafficPlan, generatePackets, packetToFlowRecord } from './synth/index.js';
