export { type Netflow5Datagram, type Netflow5Record, decodeNetflow5, decodeNetflow5Flows, encodeNetflow5, netflow5ToFlowRecords } from './netflow5.js';
export { NETFLOW9_HEADER_BYTES, type Netflow9Decoded, type Netflow9Header, decodeNetflow9 } from './netflow9.js';
