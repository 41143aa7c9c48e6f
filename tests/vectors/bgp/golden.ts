// Golden form of a decoded BGP message for vector files: the decode result plus, for each
// Flowspec NLRI, the MitigationRule match/action the model derives from it.
import type { Result } from '../../../src/lib/result.js';
import type { BgpDecodeError, DecodedMessage } from '../../../src/bgp/messages/index.js';
import { flowspecToRule } from '../../../src/flowspec/index.js';

export function goldenOf(decoded: Result<DecodedMessage, BgpDecodeError>): unknown {
  if (!decoded.ok) return { error: decoded.error };
  const m = decoded.value.message;
  const rules: unknown[] = [];
  if (m.type === 'update') {
    const ext = m.attributes.find((a) => a.code === 16 && 'communities' in a);
    const communities = ext && 'communities' in ext ? ext.communities : [];
    for (const a of m.attributes) {
      if (!('nlri' in a) || a.nlri.kind !== 'flowspec') continue;
      for (const item of a.nlri.items) {
        if (!item.nlri) continue;
        const { rule, unrepresented } = flowspecToRule({ nlri: item.nlri, communities: a.code === 14 ? (communities as never) : [] });
        rules.push({ [a.code === 14 ? 'announce' : 'withdraw']: { id: rule.id, match: rule.match, action: rule.action, sample: rule.sample, terminal: rule.terminal }, ...(unrepresented.length ? { unrepresented } : {}) });
      }
    }
  }
  return { ...decoded.value, ...(rules.length ? { rules } : {}) };
}
