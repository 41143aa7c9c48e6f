// Pure encoders: labelled packets -> Ethernet/IP bytes, pcap/pcapng files, and the datagrams of
// sFlow v5, NetFlow v5/v9 and IPFIX exporters (see export-stream.ts for the whole pipeline).
export { DEFAULT_LINK, type WirePacketInfo, buildFrames, buildIpDatagram, buildIpPackets, buildWirePacket, datagramLength, describeWirePacket, fragmentCount, internetChecksum, ipProtocol } from './packet-builder.js';
export * from './packet-spec.js';
export { buildPayload, payloadLength } from './payloads.js';
export { type CaptureOptions, type CaptureRecord, LINKTYPE_ETHERNET, concatBytes, pcapFileHeader, pcapRecord, pcapngInterface, pcapngPacket, pcapngSectionHeader, writePcap, writePcapng } from './pcap-writer.js';
export { type ExportFlow, FlowMeter, type FlowMeterOptions, type MeteredPacket } from './flow-meter.js';
export { type DataTemplate, FIELD, type FieldValue, type OptionsTemplate, type TemplateField, V9_SCOPE, flowFieldValue } from './template-encoding.js';
export { NETFLOW_V5_MAX_RECORDS, type NetflowV5Header, type NetflowV5Record, NetflowV5Exporter, encodeNetflowV5 } from './netflow-v5.js';
export { NETFLOW_V9_FLOWSET, NETFLOW_V9_TEMPLATES, type NetflowV9FlowSet, type NetflowV9Header, NetflowV9Exporter, type TemplateExporterOptions, encodeNetflowV9 } from './netflow-v9.js';
export { IPFIX_SET, IPFIX_TEMPLATES, type IpfixHeader, type IpfixSet, IpfixExporter, encodeIpfix } from './ipfix.js';
export { SFLOW_FORMAT, type SflowCounterSampleSpec, type SflowDatagramSpec, SflowExporter, type SflowExporterOptions, type SflowFlowSampleSpec, type SflowInterfaceCountersSpec, type SflowRawHeaderSpec, encodeSflowDatagram, flowSampleBytes } from './sflow-v5.js';
export { EXPORT_FORMATS, type ExportBatch, type ExportFormat, type ExportStreamOptions, defaultExporterAddress, exportStream } from './export-stream.js';
