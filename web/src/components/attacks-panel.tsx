import { formatRate, formatShare, formatTime } from '../format';
import type { AttackView } from '../types';
import { FindingsList } from './findings-list';
import { RateGraph } from './rate-graph';

export function AttacksPanel({ attacks, canPropose, propose }: { attacks: AttackView[]; canPropose: boolean; propose: (attackId: string) => void }) {
  return (
    <section className="panel" data-testid="attacks">
      <h2>Attacks</h2>
      {attacks.length === 0 && <p className="muted">No attacks detected.</p>}
      {attacks.map((a) => (
        <article key={a.id} className={`attack ${a.state}`} data-testid="attack" data-attack-id={a.id}>
          <header>
            <strong>{a.type}</strong> → {a.destination} <span className={`badge ${a.state}`}>{a.state}</span> <span className="muted">{a.id}</span>
          </header>
          <div className="attack-body">
            <RateGraph series={a.series} />
            <dl>
              <dt>peak</dt>
              <dd>
                {formatRate(a.peakPps, 'pps')} / {formatRate(a.peakBps, 'bps')}
              </dd>
              <dt>started</dt>
              <dd>
                {formatTime(a.startMs)} (alarm +{Math.max(0, a.detectedMs - a.startMs)} ms)
              </dd>
              {a.endMs !== undefined && (
                <>
                  <dt>ended</dt>
                  <dd>{formatTime(a.endMs)}</dd>
                </>
              )}
              <dt>seen at</dt>
              <dd>{a.pops.join(', ')}</dd>
              {a.rolloutId && (
                <>
                  <dt>rollout</dt>
                  <dd>
                    <code>{a.rolloutId}</code>
                  </dd>
                </>
              )}
            </dl>
          </div>
          {a.signature && (
            <div className="signature" data-testid="signature">
              signature <code>{a.signature.summary}</code> — covers {formatShare(a.signature.coverage)} of the attack, {formatShare(a.signature.collateral)} of legitimate traffic
            </div>
          )}
          {a.proposedRule ? (
            <details open>
              <summary>proposed rule {a.proposedRule.id}</summary>
              <pre>{a.proposedRule.text}</pre>
              <FindingsList findings={a.proposedRule.findings} />
            </details>
          ) : (
            a.state === 'active' &&
            canPropose && (
              <button onClick={() => propose(a.id)} data-testid="propose">
                Profile and propose a rule
              </button>
            )
          )}
        </article>
      ))}
    </section>
  );
}
