// The networks the incident scenarios run on (generated, seeded: src/fleet/generate-network.ts).
import { generateNetwork } from '../fleet/index.js';
import type { NetworkDescription } from '../fleet/network.js';

export { type GenerateNetworkOptions, generateNetwork } from '../fleet/index.js';

/** 2013: 23 data centres, Juniper MX on a Junos release with the packet-length defect. */
export function network2013(): NetworkDescription {
  return generateNetwork({ seed: 2013, pops: 23, routersPerPop: 2, mix: [['juniper', 'MX480', '11.4R7', 1]], name: 'edge-2013' });
}

/** A present-day edge of Juniper MX on a current Junos (carrying the hidden fragment defect). */
export function networkModernMx(): NetworkDescription {
  return generateNetwork({ seed: 2026, pops: 12, routersPerPop: 2, mix: [['juniper', 'MX960', '21.4R3', 1]], name: 'edge-mx' });
}
