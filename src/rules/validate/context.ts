// What the validator checks rules against, and the lookups it builds from it once per call.
import type { DeviceModel } from '../../fleet/device-model.js';
import { findDeviceModel } from '../../fleet/device-models/index.js';
import type { NetworkDescription, Pop, Router } from '../../fleet/network.js';
import { type Prefix, type PrefixParseError, parsePrefix } from '../../lib/prefix.js';
import type { Result } from '../../lib/result.js';
import type { MitigationRule, RuleScope } from '../model.js';

export interface ValidationContext {
  /** MTU, owned space, PoPs/routers for scope and device checks. */
  readonly network?: NetworkDescription;
  /** Rule set already installed (overlap, rules and TCAM per device after the change). */
  readonly installed?: readonly MitigationRule[];
  /** Device profiles; none given with a network -> device checks skipped with a warning. */
  readonly deviceModels?: readonly DeviceModel[];
  readonly nowMs: number;
  /** Rule id -> approver (global scope and very broad destinations need one). */
  readonly approvals?: ReadonlyMap<string, string>;
}

export interface ResolvedScope {
  readonly global: boolean;
  /** Known PoPs the scope covers (every PoP for global). Empty without a network. */
  readonly pops: readonly Pop[];
  readonly popIds: ReadonlySet<string>;
  readonly unknownPops: readonly string[];
  readonly unknownRegions: readonly string[];
  /** Routers at the known PoPs. */
  readonly routers: readonly Router[];
  /** Largest MTU among the known PoPs (PoP MTU or the network default); undefined without a network. */
  readonly maxMtuBytes?: number;
  /** The PoP with the largest MTU when it differs from the network default. */
  readonly maxMtuPop?: string;
}

export interface ValidationEnv {
  readonly ctx: ValidationContext;
  readonly network?: NetworkDescription;
  readonly ownedPrefixes: readonly Prefix[];
  readonly deviceModels: readonly DeviceModel[];
  parse(text: string): Result<Prefix, PrefixParseError>;
  resolveScope(scope: RuleScope): ResolvedScope;
  modelFor(router: Router): DeviceModel | undefined;
}

function scopeKey(scope: RuleScope): string {
  switch (scope.kind) {
    case 'global':
      return 'g';
    case 'pops':
      return 'p:' + (Array.isArray(scope.pops) ? scope.pops.join('\u0000') : '');
    case 'regions':
      return 'r:' + (Array.isArray(scope.regions) ? scope.regions.join('\u0000') : '');
    default:
      return 'x:' + JSON.stringify(scope);
  }
}

export function buildValidationEnv(ctx: ValidationContext): ValidationEnv {
  const network = ctx.network;
  const prefixCache = new Map<string, Result<Prefix, PrefixParseError>>();
  const parse = (text: string): Result<Prefix, PrefixParseError> => {
    let r = prefixCache.get(text);
    if (!r) {
      r = parsePrefix(String(text));
      prefixCache.set(text, r);
    }
    return r;
  };
  const ownedPrefixes: Prefix[] = [];
  for (const p of network?.ownedPrefixes ?? []) {
    const r = parsePrefix(p, { allowHostBits: true });
    if (r.ok) ownedPrefixes.push(r.value);
  }
  const popsById = new Map<string, Pop>();
  const popsByRegion = new Map<string, Pop[]>();
  for (const pop of network?.pops ?? []) {
    popsById.set(pop.id, pop);
    const list = popsByRegion.get(pop.region) ?? [];
    list.push(pop);
    popsByRegion.set(pop.region, list);
  }

  const scopeCache = new Map<string, ResolvedScope>();
  const resolveScope = (scope: RuleScope): ResolvedScope => {
    const key = scopeKey(scope);
    const cached = scopeCache.get(key);
    if (cached) return cached;
    const pops: Pop[] = [];
    const unknownPops: string[] = [];
    const unknownRegions: string[] = [];
    let global = false;
    if (scope.kind === 'global') {
      global = true;
      pops.push(...(network?.pops ?? []));
    } else if (scope.kind === 'pops') {
      for (const id of Array.isArray(scope.pops) ? scope.pops : []) {
        const pop = popsById.get(id);
        if (pop) {
          if (!pops.includes(pop)) pops.push(pop);
        } else if (network) unknownPops.push(String(id));
      }
    } else if (scope.kind === 'regions') {
      for (const region of Array.isArray(scope.regions) ? scope.regions : []) {
        const list = popsByRegion.get(region);
        if (list) for (const pop of list) if (!pops.includes(pop)) pops.push(pop);
        if (!list && network) unknownRegions.push(String(region));
      }
    }
    let maxMtuBytes: number | undefined;
    let maxMtuPop: string | undefined;
    if (network) {
      for (const pop of pops) {
        const mtu = pop.mtuBytes ?? network.mtuBytes;
        if (maxMtuBytes === undefined || mtu > maxMtuBytes) {
          maxMtuBytes = mtu;
          maxMtuPop = mtu !== network.mtuBytes ? pop.id : undefined;
        }
      }
      if (maxMtuBytes === undefined) maxMtuBytes = network.mtuBytes;
    }
    const resolved: ResolvedScope = {
      global,
      pops,
      popIds: new Set(pops.map((p) => p.id)),
      unknownPops,
      unknownRegions,
      routers: pops.flatMap((p) => p.routers),
      ...(maxMtuBytes !== undefined ? { maxMtuBytes } : {}),
      ...(maxMtuPop !== undefined ? { maxMtuPop } : {}),
    };
    scopeCache.set(key, resolved);
    return resolved;
  };

  const deviceModels = ctx.deviceModels ?? [];
  const modelCache = new Map<Router, DeviceModel | undefined>();
  const modelFor = (router: Router): DeviceModel | undefined => {
    if (modelCache.has(router)) return modelCache.get(router);
    const m = findDeviceModel(deviceModels, router);
    modelCache.set(router, m);
    return m;
  };

  return { ctx, ...(network ? { network } : {}), ownedPrefixes, deviceModels, parse, resolveScope, modelFor };
}
