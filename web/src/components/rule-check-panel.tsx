import { useState } from 'react';
import { ApiFailure, api } from '../api';
import type { Finding, PlanView } from '../types';
import { FindingsList } from './findings-list';

/** The 2013 rule as published: packet lengths no IP packet can have, pushed everywhere. */
const EXAMPLE = `rules:
  - id: 173.245.53.0/24-DNS-DROP
    match:
      destination: 173.245.53.0/24
      port: 53
      packet-length: [99971, 99985]
    action: discard
    scope: global
`;

type Result =
  | { kind: 'validate'; accepted: boolean; findings: Finding[] }
  | { kind: 'plan'; accepted: boolean; findings: Finding[]; plan?: PlanView }
  | { kind: 'proposed'; id: string; state: string }
  | { kind: 'error'; message: string; findings: Finding[] };

/** Paste a rule file (native YAML/JSON, Junos or ExaBGP): validate it, see its plan, propose it. */
export function RuleCheckPanel({ canPropose }: { canPropose: boolean }) {
  const [text, setText] = useState(EXAMPLE);
  const [format, setFormat] = useState('auto');
  const [reason, setReason] = useState('');
  const [result, setResult] = useState<Result | undefined>();

  const call = async (what: 'validate' | 'plan' | 'propose'): Promise<void> => {
    try {
      if (what === 'validate') {
        const r = await api<{ accepted: boolean; findings: Finding[] }>('POST', '/api/rules/validate', { text, format });
        setResult({ kind: 'validate', ...r });
      } else if (what === 'plan') {
        const r = await api<{ accepted: boolean; findings: Finding[]; plan?: PlanView }>('POST', '/api/rollouts/plan', { text, format, reason: reason || 'dry run' });
        setResult({ kind: 'plan', ...r });
      } else {
        const r = await api<{ id: string; state: string }>('POST', '/api/rollouts', { text, format, reason });
        setResult({ kind: 'proposed', id: r.id, state: r.state });
      }
    } catch (e) {
      setResult(e instanceof ApiFailure ? { kind: 'error', message: `${e.status} ${e.code}: ${e.message}`, findings: e.findings as Finding[] } : { kind: 'error', message: String(e), findings: [] });
    }
  };

  return (
    <section className="panel" data-testid="rule-check">
      <h2>Check a rule</h2>
      <textarea aria-label="rule file" value={text} onChange={(e) => setText(e.target.value)} rows={9} spellCheck={false} />
      <div className="actions">
        <select aria-label="format" value={format} onChange={(e) => setFormat(e.target.value)}>
          <option value="auto">auto-detect</option>
          <option value="native">native YAML/JSON</option>
          <option value="junos">Junos</option>
          <option value="exabgp">ExaBGP</option>
        </select>
        <button onClick={() => call('validate')} data-testid="validate">
          Validate
        </button>
        <button onClick={() => call('plan')} data-testid="plan">
          Plan (dry run)
        </button>
        {canPropose && (
          <>
            <input aria-label="reason" placeholder="reason (for the audit log)" value={reason} onChange={(e) => setReason(e.target.value)} />
            <button onClick={() => call('propose')} disabled={reason.trim() === ''} data-testid="propose-rollout">
              Propose rollout
            </button>
          </>
        )}
      </div>
      <div data-testid="rule-check-result">
        {result?.kind === 'validate' && (
          <>
            <div className={result.accepted ? 'ok-text' : 'error-text'}>{result.accepted ? 'accepted' : 'rejected'}</div>
            <FindingsList findings={result.findings} />
          </>
        )}
        {result?.kind === 'plan' && (
          <>
            <FindingsList findings={result.findings} okText="validation: no findings" />
            {result.plan ? (
              <div className="small">
                plan: {result.plan.scopePops.length} PoP(s){result.plan.wide ? ' — wide scope, needs an approver other than its author' : ''}; canary {result.plan.waves[0]?.join(', ')};{' '}
                {result.plan.waves.length} wave(s): {result.plan.waves.map((w) => `[${w.join(' ')}]`).join(' → ')}; bake {Math.round(result.plan.bakeMs / 1000)} s; gates{' '}
                {result.plan.gates.map((g) => g.kind).join(', ')}
              </div>
            ) : (
              <div className="error-text">rejected: no plan</div>
            )}
          </>
        )}
        {result?.kind === 'proposed' && (
          <div className="ok-text">
            rollout <code>{result.id}</code> is {result.state}
          </div>
        )}
        {result?.kind === 'error' && (
          <>
            <div className="error-text">{result.message}</div>
            <FindingsList findings={result.findings} okText="" />
          </>
        )}
      </div>
    </section>
  );
}
