// BGP message codec: wire types, encode/decode, framing, code points.
export * from './constants.js';
export * from './types.js';
export { BgpDecodeFailure, notification, decodeBgp } from './errors.js';
export { checkHeader, MessageFramer, type MessageHeader } from './header.js';
export { readOpen, writeOpen } from './open.js';
export { readUpdate, writeUpdate, writeAttribute, encodeAttributeValue } from './update.js';
export { decodeBgpMessage, encodeBgpMessage, splitMessages, DEFAULT_DECODE_CONTEXT } from './codec.js';
