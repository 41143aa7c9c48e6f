// Finding codes produced by the rule validator (src/rules/validate). Parser codes live in
// ../codes.ts; every code here has a row in docs/errors.md.
export const RULES_VALIDATE_CODES = {
  // Values and unsatisfiable matches
  validate_component_empty: 'a match component is present but lists no values or clauses, so it can never match',
  validate_value_invalid: 'a match value is not a finite non-negative integer (NaN, negative, fractional)',
  validate_range_empty: 'a numeric range has min above max, so it matches nothing',
  validate_value_out_of_range: 'a value is beyond what its packet field can hold (port > 65535, protocol > 255, DSCP > 63, flow label > 2^20-1, packet length > IP maximum, bitmask bits outside the field, prefix offset)',
  validate_component_wrong_family: 'a component belongs to the other address family (flow label or prefix offset on an IPv4 rule)',
  validate_family_mismatch: 'a prefix is of the other address family than the rule (IPv4 rule with an IPv6 prefix)',
  validate_prefix_invalid: 'a destination or source is not a valid CIDR prefix (bad text, length beyond 32/128, host bits set)',
  validate_tcp_flags_without_tcp: 'TCP flags are matched but the protocol component excludes TCP (6)',
  validate_icmp_without_icmp: 'ICMP type/code is matched but the protocol component excludes ICMP (1) / ICMPv6 (58)',
  validate_ports_without_transport: 'ports are matched but the protocol component allows no protocol that carries ports (TCP, UDP, DCCP, SCTP, UDP-Lite)',
  validate_l4_contradiction: 'match components need different transport protocols at once (ICMP type with ports, ICMP type with TCP flags)',
  validate_bitmask_unsatisfiable: 'no TCP flags value satisfies the bitmask match (e.g. SYN both set and clear)',
  validate_fragment_unsatisfiable: 'no IP packet has this fragment state (RFC 8955 §4.2.2.12: e.g. first-fragment and is-fragment, or dont-fragment on IPv6)',
  validate_fragment_without_l4_header: 'the fragment match only admits non-first fragments, which carry no transport header, yet ports/TCP flags/ICMP are matched',
  // Beyond physics
  validate_packet_length_unreachable: 'every packet length matched is above the MTU in scope or the IP maximum, so the rule can never match (Cloudflare 2013)',
  validate_packet_length_above_mtu: 'part of a packet-length range is above the MTU in scope and can never match',
  validate_packet_length_below_header: 'a packet-length range lies entirely below the smallest header the protocol allows and can never match',
  validate_action_invalid: 'the action value cannot be used (rate not a finite non-negative number, DSCP not 0-63, empty redirect target)',
  // Blast radius
  validate_destination_missing: 'the rule has no destination prefix, so it filters traffic to every address',
  validate_destination_too_broad: 'the destination is shorter than /16 (IPv4) or /32 (IPv6) and has no approval',
  validate_destination_broad: 'the destination is /16-/23 (IPv4) or /32-/47 (IPv6), or broader with an approval: a large blast radius',
  validate_destination_not_owned: 'the destination is not inside the network\'s owned prefixes (RFC 8955 §6: filter only your own destinations)',
  validate_scope_global_unapproved: 'the rule is scoped to every PoP but has no approver other than its author',
  validate_scope_unknown: 'the scope names PoPs or regions the network description does not have',
  validate_scope_empty: 'the scope lists no PoPs or regions, so the rule would be installed nowhere',
  validate_expiry_missing: 'the rule has no expiry and would stay installed until withdrawn by hand',
  validate_expiry_invalid: 'expiresAt is not an ISO-8601 instant',
  validate_expiry_past: 'expiresAt is not after now: the rule would be withdrawn as soon as installed',
  validate_expiry_too_far: 'expiresAt is more than 7 days away',
  validate_matches_all_traffic: 'the rule discards everything to its destination: no component besides the destination is matched',
  // Devices
  validate_device_models_absent: 'a network was given but no device models, so device capability, resource and defect checks were skipped',
  validate_device_model_missing: 'no device model describes a router (vendor/model/OS version) in scope; its checks were skipped',
  validate_device_family_unsupported: 'routers in scope do not support Flowspec for the rule\'s address family',
  validate_device_component_unsupported: 'routers in scope cannot match a component the rule uses',
  validate_device_action_unsupported: 'routers in scope cannot perform the rule\'s action',
  validate_device_range_limit: 'the rule has more multi-value ranges than routers in scope accept per rule',
  validate_device_tcam_exceeded: 'the rule alone expands to more TCAM entries than routers in scope have',
  validate_device_tcam_capacity: 'with this rule, the TCAM entries of installed plus new rules exceed what routers in scope have',
  validate_device_rule_capacity: 'with this rule, installed plus new rules exceed the Flowspec rule limit of routers in scope',
  validate_device_advisory: 'the rule triggers a known defect (advisory) of the OS version running on routers in scope',
  // Overlap
  validate_rule_id_duplicate: 'two rules in the batch share an id',
  validate_overlap_duplicate: 'the rule has the same match and action as an installed or earlier rule',
  validate_overlap_conflicting_action: 'the rule has the same match as an installed or earlier rule but a different action (one would replace the other)',
  validate_overlap_shadowed: 'every packet the rule matches is already matched by an installed or earlier terminal rule with the same action',
  validate_overlap_action_conflict: 'the rule overlaps an installed or earlier rule with a different action: which applies depends on rule order',
} as const;

export type ValidateCode = keyof typeof RULES_VALIDATE_CODES;
