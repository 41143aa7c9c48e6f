// The seam between the rollout executor and whatever enforces a change at a PoP:
// the fleet simulator, an nftables agent in a network namespace, or the BGP Flowspec speaker.
import type { MitigationRule } from '../rules/model.js';

/** A change that travels the validate -> canary -> rollout path. */
export type Artifact =
  | { readonly kind: 'flowspec'; readonly add: readonly MitigationRule[]; readonly withdraw: readonly string[] }
  /** WAF regex rules (id -> pattern) deployed to the proxies at a PoP. */
  | { readonly kind: 'waf-regex'; readonly rules: ReadonlyArray<{ readonly id: string; readonly pattern: string }> }
  /** A generated data file (e.g. bot-management features) consumed by the proxy. */
  | { readonly kind: 'data-file'; readonly name: string; readonly version: string; readonly content: string };

export interface RouterHealth {
  readonly routerId: string;
  readonly up: boolean;
  readonly cpu: number; // 0-1
  readonly memory: number; // 0-1
  readonly bgpEstablished: boolean;
  readonly installedRuleIds: readonly string[];
  readonly crashes: number;
}

export interface PopHealth {
  readonly popId: string;
  readonly atMs: number;
  readonly routers: readonly RouterHealth[];
  /** Share of HTTP requests failing at the PoP's proxies (0-1), for proxy-type changes. */
  readonly httpErrorRate: number;
  /** Traffic dropped by mitigation / traffic expected to be dropped (1 = as expected). */
  readonly droppedVsExpected?: number;
  /** Share of offered traffic the PoP could not serve (0-1). */
  readonly trafficFailing: number;
}

/** Implemented in the I/O shell by the simulator driver, the nftables agent client and the BGP speaker. */
export interface EnforcementTarget {
  apply(popId: string, artifact: Artifact): Promise<void>;
  /** Undo an artifact at a PoP (withdraw rules / restore the previous WAF or data-file version). */
  revert(popId: string, artifact: Artifact): Promise<void>;
  health(popId: string): Promise<PopHealth>;
  /** Rule ids (or artifact versions) actually installed at the PoP, for reconciliation after a crash. */
  installed(popId: string): Promise<readonly string[]>;
}
