// Codes produced by the rule file parsers (native YAML/JSON, Junos, ExaBGP) and the vendor
// renderers. The validator's codes live in ./validate/codes.ts. Prefix problems reuse the
// lib codes (prefix_invalid, prefix_length_out_of_range, prefix_host_bits_set).
export const RULE_CODES = {
  rule_file_syntax: 'the rule file is not well-formed YAML/JSON, Junos or ExaBGP text (unbalanced braces, bad token)',
  rule_file_empty: 'the rule file holds no rules',
  rule_field_missing: 'a required rule field is absent',
  rule_field_unknown: 'a rule field or statement is not one the format knows (typo?)',
  rule_field_invalid: 'a rule field has the wrong type or shape (the message says what was expected and found)',
  rule_numeric_invalid: 'a numeric match value is not an integer, is negative, has a bad operator or range, or matches nothing',
  rule_name_unknown: 'a named value (protocol, port, ICMP type/code, DSCP, TCP flag, fragment bit) is not known',
  rule_bitmask_invalid: 'a TCP-flags or fragment expression cannot be parsed',
  rule_family_mismatch: 'the rule family disagrees with a prefix, or a component belongs to the other family (e.g. flow label on IPv4)',
  rule_duplicate_id: 'two rules in one file share an id',
  rule_action_invalid: 'the action is unknown or its value cannot be used (rate not a non-negative number, DSCP not an integer, bad redirect target)',
  rule_action_conflict: 'the rule names more than one primary action (e.g. discard and rate-limit)',
  rule_expiry_invalid: 'expires is not an ISO-8601 instant with a zone, ttl is not a positive duration, both are given, or ttl has no clock',
  rule_scope_invalid: 'scope is not global, {pops: [...]} or {regions: [...]}, or its list is empty',
  rule_statement_ignored: 'an imported statement has no MitigationRule equivalent and was not applied (e.g. community, rd)',
  render_component_unsupported: 'the output format cannot express this match component; the rule was left out rather than widened',
  render_value_unsupported: 'the output format cannot carry this value (e.g. packet length above 65535); the rule was left out',
  render_action_unsupported: 'the output format cannot express this action; the rule was left out',
  render_modifier_unsupported: 'the output format cannot express sample/non-terminal; the rule was rendered without it',
  render_rule_split: 'the rule was rendered as several entries (OR of ports or flag clauses); per-entry rate limits apply separately',
} as const;

export type RuleCode = keyof typeof RULE_CODES;
