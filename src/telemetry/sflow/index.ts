export { type InterfaceCounterRecord, SFLOW_MAX_RECORDS, SFLOW_MAX_SAMPLES, type SflowDecoded, decodeSflowDatagram, decodeSflowFlowsFast, sflowCounterRecords, sflowToFlowRecords } from './decode-sflow.js';
export { encodeSflowDatagram } from './encode-sflow.js';
export * from './types.js';
