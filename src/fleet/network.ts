// The network description (YAML file, docs/glossary.md): PoPs, regions, anycast and owned
// address space, MTU, and the routers at each PoP with vendor, model and OS version.

export type Vendor = 'juniper' | 'cisco' | 'arista' | 'nokia' | 'linux';

export interface Router {
  readonly id: string;
  readonly vendor: Vendor;
  /** Hardware/platform model, e.g. "MX480", "ASR9000", "linux-nftables". Keys into device models. */
  readonly model: string;
  readonly osVersion: string;
  /** BGP peering address (for delivery); optional in pure simulation. */
  readonly address?: string;
  readonly asn?: number;
}

export interface Pop {
  readonly id: string;
  readonly name?: string;
  readonly region: string;
  /** Latitude/longitude for anycast nearest-PoP and the dashboard map. */
  readonly location?: { readonly lat: number; readonly lon: number };
  readonly anycastPrefixes: readonly string[];
  /** Link MTU at this PoP, if different from the network default. */
  readonly mtuBytes?: number;
  /** Traffic this PoP can absorb before it fails (anycast cascade model). */
  readonly capacityBps?: number;
  readonly routers: readonly Router[];
}

export interface NetworkDescription {
  readonly name: string;
  readonly asn?: number;
  /** Address space this network may filter for (RFC 8955 §6 spirit: only your own destinations). */
  readonly ownedPrefixes: readonly string[];
  /** Largest IP packet the network carries, in bytes (Cloudflare 2013: 4470). */
  readonly mtuBytes: number;
  readonly pops: readonly Pop[];
}
