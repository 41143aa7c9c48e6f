export { type SflowDecoded, decodeSflowDatagram, sflowToFlowRecords } from './decode-sflow.js';
export { encodeSflowDatagram } from './encode-sflow.js';
export * from './types.js';
