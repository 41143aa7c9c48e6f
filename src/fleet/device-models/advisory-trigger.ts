// Does a rule have the shape that triggers a known device defect (an Advisory)? Shared by the
// validator (published advisories) and the simulator (published and hidden advisories).
import type { Advisory, AdvisoryTrigger, DeviceModel } from '../device-model.js';
import type { NumericRange, MitigationRule } from '../../rules/model.js';
import type { Router } from '../network.js';
import { unreachable } from '../../lib/assert.js';
import { versionInRange } from './compare-versions.js';

function numericEntries(rule: MitigationRule, component: keyof MitigationRule['match']): readonly NumericRange[] | undefined {
  const value: unknown = rule.match[component];
  if (!Array.isArray(value)) return undefined;
  // Numeric components hold {min, max}; bitmask components hold arrays of term arrays.
  return value.filter((v): v is NumericRange => typeof v === 'object' && v !== null && 'min' in v && 'max' in v);
}

/** True when the rule has the shape described by the trigger. */
export function ruleMatchesTrigger(rule: MitigationRule, trigger: AdvisoryTrigger): boolean {
  switch (trigger.kind) {
    case 'component-value-above': {
      const entries = numericEntries(rule, trigger.component);
      // NaN compares false, so a NaN operand does not count as "above".
      return entries !== undefined && entries.some((r) => r.max > trigger.max || r.min > trigger.max);
    }
    case 'component-present':
      return rule.match[trigger.component] !== undefined;
    case 'range-count-above': {
      const value: unknown = rule.match[trigger.component];
      return Array.isArray(value) && value.length > trigger.count;
    }
    case 'action':
      return rule.action.kind === trigger.action;
    default:
      return unreachable(trigger, 'advisory trigger');
  }
}

/** Advisories of `model` that affect this router's OS version and are triggered by the rule. */
export function findTriggeredAdvisories(
  model: DeviceModel,
  router: Pick<Router, 'osVersion'>,
  rule: MitigationRule,
  opts: { includeHidden?: boolean } = {},
): Advisory[] {
  const pool = opts.includeHidden ? [...model.advisories, ...(model.hiddenAdvisories ?? [])] : model.advisories;
  return pool.filter((a) => versionInRange(router.osVersion, a.osVersions) && ruleMatchesTrigger(rule, a.trigger));
}
