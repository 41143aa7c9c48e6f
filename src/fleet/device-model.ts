// Device models: what a router model/OS can do, how much it holds, and its known defects.
// Shipped as data (YAML) and shared by the validator (rules/validate) and the simulator (fleet/simulator).
import type { MitigationRule, RuleAction, RuleFamily, RuleMatch } from '../rules/model.js';
import type { Vendor } from './network.js';

/** Inclusive OS version range, compared segment-wise numerically ("15.1R7" < "15.1R10" < "16.1R1"). */
export interface VersionRange {
  readonly min?: string;
  readonly max?: string;
}

export interface DeviceCapabilities {
  readonly families: readonly RuleFamily[];
  readonly components: ReadonlyArray<keyof RuleMatch>;
  readonly actions: ReadonlyArray<RuleAction['kind']>;
}

export interface DeviceLimits {
  /** Flowspec rules the device accepts in total (e.g. ASR 9000: 3,000). */
  readonly maxRules: number;
  /** Multi-value range components per rule (e.g. ASR 9000: 5). */
  readonly maxRangesPerRule?: number;
  /** TCAM/filter entries available for Flowspec after range expansion. */
  readonly tcamEntries: number;
  /** Memory available to the filter compiler, MiB, and what one rule costs, KiB (simulator). */
  readonly memoryMiB: number;
  readonly memoryPerRuleKiB: number;
  /** Baseline CPU and memory utilisation (0-1) in normal operation (simulator). */
  readonly baselineCpu?: number;
  readonly baselineMemory?: number;
}

/** The shape of a rule that triggers a known defect. */
export type AdvisoryTrigger =
  /** Any value of a numeric component above `max` (e.g. packet length beyond what the filter compiler handles). */
  | { readonly kind: 'component-value-above'; readonly component: keyof RuleMatch; readonly max: number }
  /** The component is present at all. */
  | { readonly kind: 'component-present'; readonly component: keyof RuleMatch }
  /** More than `count` ranges in one component. */
  | { readonly kind: 'range-count-above'; readonly component: keyof RuleMatch; readonly count: number }
  /** The action kind is used. */
  | { readonly kind: 'action'; readonly action: RuleAction['kind'] };

export interface Advisory {
  readonly id: string;
  readonly title: string;
  readonly osVersions: VersionRange;
  readonly trigger: AdvisoryTrigger;
  /** What the device does when triggered (the simulator acts it out). */
  readonly effect: 'memory-exhaustion' | 'crash-reboot' | 'crash-no-reboot' | 'rule-ignored' | 'misprogrammed';
  readonly reference?: string;
}

export interface DeviceModel {
  /** Profile id, e.g. "juniper-mx-junos-legacy". */
  readonly id: string;
  readonly vendor: Vendor;
  /** Platform models (Router.model) this profile covers. */
  readonly models: readonly string[];
  /** OS versions this profile covers. */
  readonly osVersions: VersionRange;
  readonly capabilities: DeviceCapabilities;
  readonly limits: DeviceLimits;
  readonly advisories: readonly Advisory[];
  /** Hidden defects: known to the simulator, deliberately NOT to the validator (a bad change that passes validation). */
  readonly hiddenAdvisories?: readonly Advisory[];
}

export type RuleTriggerTest = (rule: MitigationRule) => boolean;
