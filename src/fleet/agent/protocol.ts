// The agent protocol: one JSON object per line over TCP, request -> one response line.
//   {"op":"apply","artifact":{...}}   {"op":"revert","artifact":{...}}
//   {"op":"health"}  {"op":"installed"}  {"op":"counters"}
// Responses: {"ok":true,"result":...} or {"ok":false,"error":{"code","message"}}.
// The wire schema is checked here, so a malformed request is answered with agent_bad_request
// and never reaches the renderer or nft. Pure.
import { z } from 'zod';
import type { Artifact } from '../enforcement.js';

const range = z.object({ min: z.number().int().nonnegative(), max: z.number().int().nonnegative() });
const ranges = z.array(range).min(1);
const bitmask = z.array(z.array(z.object({ op: z.enum(['all', 'any', 'none', 'not-all']), bits: z.number().int().nonnegative() })).min(1)).min(1);

const matchSchema = z.strictObject({
  destination: z.string().min(1).optional(),
  destinationOffset: z.number().int().nonnegative().optional(),
  source: z.string().min(1).optional(),
  sourceOffset: z.number().int().nonnegative().optional(),
  protocols: ranges.optional(),
  ports: ranges.optional(),
  destinationPorts: ranges.optional(),
  sourcePorts: ranges.optional(),
  icmpTypes: ranges.optional(),
  icmpCodes: ranges.optional(),
  tcpFlags: bitmask.optional(),
  packetLengths: ranges.optional(),
  dscp: ranges.optional(),
  fragment: bitmask.optional(),
  flowLabel: ranges.optional(),
});

const actionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('accept') }),
  z.object({ kind: z.literal('discard') }),
  z.object({ kind: z.literal('rate-limit-bytes'), bytesPerSec: z.number().nonnegative() }),
  z.object({ kind: z.literal('rate-limit-packets'), packetsPerSec: z.number().nonnegative() }),
  z.object({ kind: z.literal('redirect'), target: z.string().min(1) }),
  z.object({ kind: z.literal('mark-dscp'), dscp: z.number().int().min(0).max(63) }),
]);

const scopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('global') }),
  z.object({ kind: z.literal('pops'), pops: z.array(z.string()) }),
  z.object({ kind: z.literal('regions'), regions: z.array(z.string()) }),
]);

/** A MitigationRule on the wire; an nft comment carries the id, so it may not hold a quote. */
export const wireRuleSchema = z.object({
  id: z.string().min(1).max(128).regex(/^[^"\\\n]+$/, 'rule id may not contain quotes, backslashes or newlines'),
  family: z.enum(['ipv4', 'ipv6']),
  match: matchSchema,
  action: actionSchema,
  sample: z.boolean().optional(),
  terminal: z.boolean().optional(),
  scope: scopeSchema,
  expiresAt: z.string().optional(),
  provenance: z.object({}).passthrough(),
  approvedBy: z.string().optional(),
});

export const wireArtifactSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('flowspec'), add: z.array(wireRuleSchema), withdraw: z.array(z.string()) }),
  z.object({ kind: z.literal('waf-regex'), rules: z.array(z.object({ id: z.string(), pattern: z.string() })) }),
  z.object({ kind: z.literal('data-file'), name: z.string(), version: z.string(), content: z.string() }),
]);

export const agentRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('apply'), artifact: wireArtifactSchema }),
  z.object({ op: z.literal('revert'), artifact: wireArtifactSchema }),
  z.object({ op: z.literal('health') }),
  z.object({ op: z.literal('installed') }),
  z.object({ op: z.literal('counters') }),
]);
export type AgentRequest = { readonly op: 'apply' | 'revert'; readonly artifact: Artifact } | { readonly op: 'health' | 'installed' | 'counters' };

export type AgentResponse = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

export type ParsedRequest = { readonly ok: true; readonly request: AgentRequest } | { readonly ok: false; readonly error: { readonly code: 'agent_bad_request'; readonly message: string } };

/** Decode one request line; never throws. */
export function parseAgentRequest(line: string): ParsedRequest {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (e) {
    return { ok: false, error: { code: 'agent_bad_request', message: `not JSON: ${(e as Error).message}` } };
  }
  const r = agentRequestSchema.safeParse(json);
  if (!r.success) return { ok: false, error: { code: 'agent_bad_request', message: r.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ') } };
  return { ok: true, request: r.data as AgentRequest };
}

export interface RuleCounter {
  readonly ruleId: string;
  readonly packets: number;
  readonly bytes: number;
}

/**
 * Counters per rule id from `nft -j list table inet T` (rules carry `comment "<rule id>"` and a
 * counter). Undefined when the text is not nft's JSON (the caller reports it; never throws).
 */
export function parseNftCounters(json: string): RuleCounter[] | undefined {
  let doc: { nftables?: Array<{ rule?: { comment?: string; expr?: Array<Record<string, unknown>> } }> };
  try {
    doc = JSON.parse(json) as typeof doc;
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray(doc.nftables)) return undefined;
  const by = new Map<string, { packets: number; bytes: number }>();
  for (const item of doc.nftables ?? []) {
    const rule = item.rule;
    if (!rule?.comment) continue;
    const counter = rule.expr?.find((e) => 'counter' in e)?.counter as { packets?: number; bytes?: number } | undefined;
    const c = by.get(rule.comment) ?? { packets: 0, bytes: 0 };
    c.packets += counter?.packets ?? 0;
    c.bytes += counter?.bytes ?? 0;
    by.set(rule.comment, c);
  }
  return [...by.entries()].map(([ruleId, c]) => ({ ruleId, ...c })).sort((a, b) => a.ruleId.localeCompare(b.ruleId));
}
