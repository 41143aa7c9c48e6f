// Codes produced by the network description parser (src/fleet/network-file.ts). Prefix
// problems reuse the lib codes (prefix_invalid, prefix_length_out_of_range, prefix_host_bits_set).
export const NETWORK_CODES = {
  network_file_syntax: 'the network description is not well-formed YAML/JSON',
  network_field_missing: 'a required network, PoP or router field is absent',
  network_field_unknown: 'a network, PoP or router field is not one the format knows (typo?)',
  network_field_invalid: 'a network field has the wrong type or an impossible value (the message says what was expected and found)',
  network_duplicate_id: 'two PoPs, or two routers anywhere in the network, share an id',
  network_prefix_not_owned: 'an anycast prefix lies outside every owned prefix (the network may not filter for it)',
  network_pop_without_routers: 'a PoP lists no routers, so no rule can be enforced there',
} as const;

export type NetworkCode = keyof typeof NETWORK_CODES;
