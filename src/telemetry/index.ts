export { TELEMETRY_CODES } from './codes.js';
export type { FlowRecord, FlowSource } from './flow-record.js';
export { LINK_TYPE, type ParsedPacket, parsePacket } from './packet/parse-packet.js';
export { type CaptureFlows, captureToFlows } from './pcap/capture-flows.js';
export { type CaptureReadResult, type CapturedPacket, readCapture } from './pcap/read-capture.js';
export { type SflowDatagram, decodeSflowDatagram, encodeSflowDatagram, sflowToFlowRecords } from './sflow/index.js';
export { type Netflow5Datagram, decodeNetflow5, encodeNetflow5, netflow5ToFlowRecords } from './netflow/index.js';
export { type CollectorFormat, type CollectorListener, type CollectorOptions, UdpCollector } from './io/udp-collector.js';
