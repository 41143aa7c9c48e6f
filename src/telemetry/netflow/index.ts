export { type Netflow5Datagram, type Netflow5Record, decodeNetflow5, encodeNetflow5, netflow5ToFlowRecords } from './netflow5.js';
