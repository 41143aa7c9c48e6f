// The agent protocol: one JSON object per line over TCP, request -> response. Pure schemas.
import { z } from 'zod';

export const agentRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('apply'), artifact: z.any() }),
  z.object({ op: z.literal('revert'), artifact: z.any() }),
  z.object({ op: z.literal('health') }),
  z.object({ op: z.literal('installed') }),
  z.object({ op: z.literal('counters') }),
]);
export type AgentRequest = z.infer<typeof agentRequestSchema>;

export type AgentResponse = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

export interface RuleCounter {
  readonly ruleId: string;
  readonly packets: number;
  readonly bytes: number;
}

/** Counters per rule id from `nft -j list table inet T` (rules carry `comment "<rule id>"` and a counter). */
export function parseNftCounters(json: string): RuleCounter[] {
  const doc = JSON.parse(json) as { nftables?: Array<{ rule?: { comment?: string; expr?: Array<Record<string, unknown>> } }> };
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
