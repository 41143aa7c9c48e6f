export { IPFIX_HEADER_BYTES, type IpfixDecoded, type IpfixHeader, decodeIpfix } from './ipfix.js';
export { IE, IPFIX_SET, NETFLOW9_FLOWSET, VARIABLE_LENGTH } from './information-elements.js';
export { MAX_TEMPLATE_FIELDS, type TemplateField, type TemplatePlan, compileTemplate } from './record-plan.js';
export type { TemplatedDecodeContext, TemplatedDecoded } from './templated-datagram.js';
