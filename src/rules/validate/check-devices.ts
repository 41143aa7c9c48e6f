// Can the routers in a rule's scope carry it? Capabilities (family, components, action),
// per-rule limits (ranges, TCAM after range expansion), known defects of their OS version, and
// the device totals (rules, TCAM entries) once the batch is added to what is installed.
import type { DeviceModel } from '../../fleet/device-model.js';
import { findTriggeredAdvisories, formatVersionRange } from '../../fleet/device-models/index.js';
import type { Router } from '../../fleet/network.js';
import type { Advisory } from '../../fleet/device-model.js';
import type { Finding, MitigationRule, RuleMatch } from '../model.js';
import type { ResolvedScope, ValidationEnv } from './context.js';
import { MATCH_COMPONENT_LABEL, NUMERIC_FIELDS } from './fields.js';
import { formatList, makeFinding } from './finding.js';
import type { RuleFacts } from './rule-facts.js';
import { countRuleTcamEntries } from './ternary-expansion.js';

/**
 * Ranges a device must program as multi-value matches: every range of a numeric component that
 * matches more than one value (ports [53] -> 0, ports [53, 123] -> 2, length 512-4470 -> 1).
 */
export function countMultiValueRanges(rule: MitigationRule): number {
  let n = 0;
  for (const f of NUMERIC_FIELDS) {
    const ranges = rule.match[f.component];
    if (!Array.isArray(ranges) || ranges.length === 0) continue;
    if (ranges.length === 1 && ranges[0]!.min === ranges[0]!.max) continue;
    n += ranges.length;
  }
  return n;
}

function usedComponents(rule: MitigationRule): Array<keyof RuleMatch> {
  return (Object.keys(rule.match) as Array<keyof RuleMatch>).filter((k) => {
    const v = rule.match[k];
    if (v === undefined) return false;
    // A zero offset is the default and needs no support.
    if ((k === 'destinationOffset' || k === 'sourceOffset') && v === 0) return false;
    return k in MATCH_COMPONENT_LABEL;
  });
}

function groupByModel(scope: ResolvedScope, env: ValidationEnv, missing: Set<Router>): Map<DeviceModel, Router[]> {
  const groups = new Map<DeviceModel, Router[]>();
  for (const router of scope.routers) {
    const model = env.modelFor(router);
    if (!model) {
      missing.add(router);
      continue;
    }
    const list = groups.get(model);
    if (list) list.push(router);
    else groups.set(model, [router]);
  }
  return groups;
}

function deviceText(model: DeviceModel, routers: readonly Router[]): string {
  return `${model.id} router${routers.length > 1 ? 's' : ''} ${formatList(routers.map((r) => r.id))}`;
}

interface DeviceLoad {
  readonly router: Router;
  readonly model: DeviceModel;
  rules: number;
  tcam: number;
  installedRules: number;
  installedTcam: number;
  ruleOverflow?: string;
  tcamOverflow?: string;
}

export function checkDevices(batch: readonly RuleFacts[], installed: ReadonlyArray<{ rule: MitigationRule; scope: ResolvedScope }>, env: ValidationEnv, out: Finding[]): void {
  if (!env.network) return;
  if (env.deviceModels.length === 0) {
    out.push(
      makeFinding('validate_device_models_absent', 'warning', {
        component: 'deviceModels',
        message: `no device models were given for network ${env.network.name}: device capability, resource and known-defect checks were skipped`,
        expected: 'device models (data/device-models)',
        actual: 0,
      }),
    );
    return;
  }
  const missing = new Set<Router>();
  const costs = batch.map((f) => countRuleTcamEntries(f.rule));
  batch.forEach((facts, i) => checkRuleOnDevices(facts, costs[i]!, env, missing, out));
  checkCapacity(batch, costs, installed, env, out);
  if (missing.size > 0) {
    const routers = [...missing];
    out.push(
      makeFinding('validate_device_model_missing', 'warning', {
        component: 'deviceModels',
        message: `no device model describes router${routers.length > 1 ? 's' : ''} ${formatList(routers.map((r) => `${r.id} (${r.vendor} ${r.model} ${r.osVersion})`), 3)}: their capability, resource and defect checks were skipped`,
        expected: 'a device model for every router in scope',
        actual: routers.map((r) => `${r.vendor} ${r.model} ${r.osVersion}`),
        devices: routers.map((r) => r.id),
      }),
    );
  }
}

function checkRuleOnDevices(facts: RuleFacts, tcamCost: number, env: ValidationEnv, missing: Set<Router>, out: Finding[]): void {
  const rule = facts.rule;
  const groups = groupByModel(facts.scope, env, missing);
  if (groups.size === 0) return;
  const components = usedComponents(rule);
  const ranges = countMultiValueRanges(rule);
  for (const [model, routers] of groups) {
    const devices = routers.map((r) => r.id);
    const where = deviceText(model, routers);
    const caps = model.capabilities;
    if (!caps.families.includes(rule.family)) {
      out.push(makeFinding('validate_device_family_unsupported', 'error', { rule: rule.id, component: 'family', message: `${where} do not support ${rule.family} Flowspec (supported: ${caps.families.join(', ') || 'none'})`, expected: caps.families, actual: rule.family, devices }));
    }
    for (const c of components) {
      if (!caps.components.includes(c)) {
        out.push(makeFinding('validate_device_component_unsupported', 'error', { rule: rule.id, component: `match.${c}`, message: `${where} cannot match ${MATCH_COMPONENT_LABEL[c]}`, expected: caps.components, actual: c, devices }));
      }
    }
    if (!caps.actions.includes(rule.action.kind)) {
      out.push(makeFinding('validate_device_action_unsupported', 'error', { rule: rule.id, component: 'action', message: `${where} cannot perform action ${rule.action.kind} (supported: ${caps.actions.join(', ')})`, expected: caps.actions, actual: rule.action.kind, devices }));
    }
    const maxRanges = model.limits.maxRangesPerRule;
    if (maxRanges !== undefined && ranges > maxRanges) {
      out.push(makeFinding('validate_device_range_limit', 'error', { rule: rule.id, component: 'match', message: `the rule has ${ranges} multi-value ranges but ${where} accept at most ${maxRanges} per rule`, expected: maxRanges, actual: ranges, devices }));
    }
    if (tcamCost > model.limits.tcamEntries) {
      out.push(
        makeFinding('validate_device_tcam_exceeded', 'error', {
          rule: rule.id,
          component: 'match',
          message: `the rule expands to ${tcamCost} TCAM entries (ranges split into prefixes, multiplied across components) but ${where} have ${model.limits.tcamEntries}`,
          expected: model.limits.tcamEntries,
          actual: tcamCost,
          devices,
        }),
      );
    }
    if (model.advisories.length === 0) continue;
    const hits = new Map<Advisory, Router[]>();
    for (const router of routers) {
      for (const adv of findTriggeredAdvisories(model, router, rule)) {
        const list = hits.get(adv);
        if (list) list.push(router);
        else hits.set(adv, [router]);
      }
    }
    for (const [adv, affected] of hits) {
      out.push(
        makeFinding('validate_device_advisory', 'error', {
          rule: rule.id,
          component: adv.trigger.kind === 'action' ? 'action' : `match.${adv.trigger.component}`,
          message: `the rule triggers advisory ${adv.id} (${adv.title}; effect: ${adv.effect}) on ${deviceText(model, affected)} running ${formatList([...new Set(affected.map((r) => r.osVersion))])} (affected: ${formatVersionRange(adv.osVersions)})${adv.reference ? ` — ${adv.reference}` : ''}`,
          expected: `no ${describeTrigger(adv)}`,
          actual: adv.id,
          devices: affected.map((r) => r.id),
        }),
      );
    }
  }
}

function describeTrigger(adv: Advisory): string {
  const t = adv.trigger;
  switch (t.kind) {
    case 'component-value-above':
      return `${MATCH_COMPONENT_LABEL[t.component]} value above ${t.max}`;
    case 'component-present':
      return MATCH_COMPONENT_LABEL[t.component];
    case 'range-count-above':
      return `more than ${t.count} ${MATCH_COMPONENT_LABEL[t.component]} ranges`;
    case 'action':
      return `${t.action} action`;
    default:
      return 'trigger';
  }
}

function checkCapacity(
  batch: readonly RuleFacts[],
  costs: readonly number[],
  installed: ReadonlyArray<{ rule: MitigationRule; scope: ResolvedScope }>,
  env: ValidationEnv,
  out: Finding[],
): void {
  const loads = new Map<Router, DeviceLoad>();
  const loadOf = (router: Router): DeviceLoad | undefined => {
    let load = loads.get(router);
    if (load) return load;
    const model = env.modelFor(router);
    if (!model) return undefined;
    load = { router, model, rules: 0, tcam: 0, installedRules: 0, installedTcam: 0 };
    loads.set(router, load);
    return load;
  };
  for (const { rule, scope } of installed) {
    const cost = countRuleTcamEntries(rule);
    for (const router of scope.routers) {
      const load = loadOf(router);
      if (!load) continue;
      load.rules++;
      load.installedRules++;
      load.tcam += cost;
      load.installedTcam += cost;
    }
  }
  const ruleOverflows = new Map<string, DeviceLoad[]>();
  const tcamOverflows = new Map<string, DeviceLoad[]>();
  batch.forEach((facts, i) => {
    const id = facts.rule.id;
    for (const router of facts.scope.routers) {
      const load = loadOf(router);
      // A rule larger than the whole TCAM is reported on its own (validate_device_tcam_exceeded).
      if (!load || costs[i]! > load.model.limits.tcamEntries) continue;
      load.rules++;
      load.tcam += costs[i]!;
      if (load.ruleOverflow === undefined && load.rules > load.model.limits.maxRules) {
        load.ruleOverflow = id;
        ruleOverflows.set(id, [...(ruleOverflows.get(id) ?? []), load]);
      }
      if (load.tcamOverflow === undefined && load.tcam > load.model.limits.tcamEntries) {
        load.tcamOverflow = id;
        tcamOverflows.set(id, [...(tcamOverflows.get(id) ?? []), load]);
      }
    }
  });
  // Totals are final now (every batch rule added): report per rule that first tipped a device over.
  for (const [id, over] of ruleOverflows) {
    const first = over[0]!;
    out.push(
      makeFinding('validate_device_rule_capacity', 'error', {
        rule: id,
        component: 'scope',
        message: `from this rule on, ${over.length} router${over.length > 1 ? 's' : ''} exceed${over.length > 1 ? '' : 's'} the Flowspec rule limit: ${first.router.id} (${first.model.id}) holds at most ${first.model.limits.maxRules} but would have ${first.rules} (${first.installedRules} installed + ${first.rules - first.installedRules} new)`,
        expected: first.model.limits.maxRules,
        actual: first.rules,
        devices: over.map((l) => l.router.id),
      }),
    );
  }
  for (const [id, over] of tcamOverflows) {
    const first = over[0]!;
    out.push(
      makeFinding('validate_device_tcam_capacity', 'error', {
        rule: id,
        component: 'scope',
        message: `from this rule on, ${over.length} router${over.length > 1 ? 's' : ''} run${over.length > 1 ? '' : 's'} out of TCAM: ${first.router.id} (${first.model.id}) has ${first.model.limits.tcamEntries} entries but would need ${first.tcam} (${first.installedTcam} installed + ${first.tcam - first.installedTcam} new, after range expansion)`,
        expected: first.model.limits.tcamEntries,
        actual: first.tcam,
        devices: over.map((l) => l.router.id),
      }),
    );
  }
}
