// Codes produced by src/flowspec (Flowspec NLRI and traffic-action extended communities).
// Decode codes mark a malformed NLRI or community: per RFC 8955 §4.2/§10 and RFC 7606 the
// NLRI is treated as withdrawn; encode codes mark a rule the wire format cannot carry.
export const FLOWSPEC_CODES = {
  flowspec_nlri_empty: 'a Flowspec NLRI has no components (RFC 8955 §4.2 needs at least one)',
  flowspec_nlri_too_long: 'a Flowspec NLRI is longer than 4095 bytes, the most its length field can say (RFC 8955 §4.1)',
  flowspec_component_unknown: 'a Flowspec component type is unknown for the address family (malformed per RFC 8955 §4.2)',
  flowspec_component_order: 'Flowspec components are not in strictly increasing type order (RFC 8955 §4.2)',
  flowspec_prefix_length: 'a Flowspec prefix component is longer than 32 (IPv4) or 128 (IPv6) bits',
  flowspec_prefix_offset: 'an IPv6 Flowspec prefix offset is not below its length (RFC 8956 §3.1)',
  flowspec_operator_reserved: 'a Flowspec operator byte has reserved bits set (RFC 8955 §4.2.1)',
  flowspec_operator_unterminated: 'a Flowspec operator list runs to the end of the NLRI without its end-of-list bit',
  flowspec_value_too_large: 'an 8-byte Flowspec operator value is beyond 2^53-1 and cannot be represented exactly',
  flowspec_range_invalid: 'a numeric range to encode is negative, fractional, beyond 2^53-1 or has min > max',
  flowspec_bitmask_invalid: 'a bitmask match to encode is empty or has bits outside 0..2^32-1',
  flowspec_family_mismatch: 'a component or prefix does not belong to the rule family (e.g. flow label or offset on IPv4)',
  flowspec_prefix_invalid: 'a rule prefix is not valid CIDR text',
  flowspec_action_invalid: 'a rule action has a value the extended community cannot carry (rate not finite/non-negative, DSCP beyond 63)',
  flowspec_redirect_target_invalid: 'a redirect target is not "ASN:NN" or "IPv4:NN" within the field widths (RFC 8955 §7.4)',
  flowspec_ext_community_invalid: 'a traffic filtering action extended community cannot be decoded (RFC 8955 §10, RFC 7606 §7.14)',
} as const;

export type FlowspecCode = keyof typeof FLOWSPEC_CODES;
