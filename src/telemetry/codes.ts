// Codes produced by the telemetry decoders (packet parser, pcap/pcapng readers).
export const TELEMETRY_CODES = {
  packet_unsupported_link_type: 'the capture link type is not one the parser reads (Ethernet, raw IP, Linux SLL)',
  packet_not_ip: 'the frame carries neither IPv4 nor IPv6',
  packet_bad_ip_version: 'the IP version field does not match the EtherType / link type',
  packet_bad_ip_header_length: 'IPv4 header length is below 20 bytes or beyond the packet',
  packet_too_many_headers: 'more VLAN tags or IPv6 extension headers than the parser follows',
  capture_bad_magic: 'the file is neither pcap nor pcapng',
  capture_record_too_large: 'a capture record claims more bytes than its snap length or a sane maximum',
  capture_bad_block: 'a pcapng block has an impossible length or mismatched trailer',
  capture_unknown_interface: 'a pcapng packet refers to an interface with no description block',
  sflow_bad_version: 'the datagram is not sFlow version 5',
  sflow_bad_agent_address: 'the agent address type is neither 1 (IPv4) nor 2 (IPv6)',
  sflow_too_many_samples: 'more samples in one datagram than the decoder accepts (1024)',
  sflow_too_many_records: 'more records in one sample than the decoder accepts (256)',
  sflow_unsupported_header_protocol: 'a raw packet header record of a protocol other than Ethernet, IPv4 or IPv6',
  netflow_bad_version: 'the datagram is not the NetFlow version the decoder was asked for',
  netflow5_bad_count: 'a NetFlow v5 header claims more than 30 records',
} as const;
