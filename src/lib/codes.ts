// Codes produced by src/lib (byte reader, prefix parsing).
export const LIB_CODES = {
  truncated: 'a length or field runs past the end of the enclosing buffer or length',
  decoder_bug: 'a decoder threw something other than a DecodeFailure (a bug; fuzz runs fail on it)',
  prefix_invalid: 'text is not an IPv4/IPv6 address or CIDR prefix',
  prefix_length_out_of_range: 'prefix length beyond 32 (IPv4) or 128 (IPv6)',
  prefix_host_bits_set: 'prefix has bits set beyond its length',
} as const;
