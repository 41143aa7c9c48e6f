import { formatTime } from '../format';
import type { PopView, RolloutView, WaveView } from '../types';

type Verb = 'approve' | 'start' | 'pause' | 'resume' | 'abort' | 'rollback';

function WaveCard({ wave, rollout, pops, nowMs }: { wave: WaveView; rollout: RolloutView; pops: Map<string, PopView>; nowMs: number }) {
  const failedAt = new Set(rollout.gateFailures.map((g) => g.popId));
  const bakedShare = wave.state === 'baking' && wave.startedMs !== undefined ? Math.min(1, Math.max(0, (nowMs - wave.startedMs) / wave.bakeMs)) : undefined;
  return (
    <li className={`wave ${wave.state}`} data-testid="wave" data-state={wave.state} title={`bake ${Math.round(wave.bakeMs / 1000)} s`}>
      <span className="wave-name">{wave.index === 0 ? 'canary' : `wave ${wave.index}`}</span>
      <span className="wave-pops">
        {wave.pops.map((id) => {
          const p = pops.get(id);
          const status = failedAt.has(id) ? 'down' : (p?.status ?? 'unknown');
          return (
            <span key={id} className={`pop-chip ${status}`} title={p ? `${id}: ${p.routersUp}/${p.routers} routers up, ${p.installedRules} rules` : id}>
              {id}
            </span>
          );
        })}
      </span>
      <span className="wave-state">{wave.state}</span>
      {bakedShare !== undefined && (
        <span className="bake" aria-label="bake progress">
          <span style={{ width: `${(bakedShare * 100).toFixed(0)}%` }} />
        </span>
      )}
    </li>
  );
}

export function RolloutsPanel({ rollouts, pops, role, nowMs, act }: { rollouts: RolloutView[]; pops: PopView[]; role?: string; nowMs: number; act: (id: string, verb: Verb) => void }) {
  const byId = new Map(pops.map((p) => [p.id, p]));
  const operator = role === 'operator' || role === 'approver';
  return (
    <section className="panel" data-testid="rollouts">
      <h2>Rollouts</h2>
      {rollouts.length === 0 && <p className="muted">No rollouts yet.</p>}
      {rollouts.map((r) => (
        <article key={r.id} className="rollout" data-testid="rollout" data-state={r.state} data-rollout-id={r.id}>
          <header>
            <strong>{r.title}</strong> <span className={`badge ${r.state}`} data-testid="rollout-state">{r.state}</span>
            {r.wide && <span className="badge wide">wide scope</span>}
            <div className="muted small">
              {r.id} · planned {formatTime(r.createdMs)} by {r.author}
              {r.approvedBy ? `, approved by ${r.approvedBy}` : ''} · bake {Math.round(r.bakeMs / 1000)} s per wave
            </div>
          </header>
          <ol className="waves">
            {r.waves.map((w) => (
              <WaveCard key={w.index} wave={w} rollout={r} pops={byId} nowMs={nowMs} />
            ))}
          </ol>
          {r.rollbackReason && <div className="error-text">rolled back: {r.rollbackReason}</div>}
          {r.gateFailures.length > 0 && (
            <ul className="findings">
              {r.gateFailures.map((g, i) => (
                <li key={i} className="error">
                  gate <code>{g.gate}</code> failed at {g.popId}: {g.message}
                </li>
              ))}
            </ul>
          )}
          <div className="actions">
            {r.state === 'awaiting-approval' && (
              <button
                onClick={() => act(r.id, 'approve')}
                data-testid="approve"
                disabled={role !== 'approver'}
                title={role === 'approver' ? 'approve (you must not be its author)' : 'needs an approver token'}
              >
                Approve
              </button>
            )}
            {operator && r.state === 'planned' && <button onClick={() => act(r.id, 'start')}>Start</button>}
            {operator && r.state === 'running' && <button onClick={() => act(r.id, 'pause')}>Pause</button>}
            {operator && r.state === 'paused' && <button onClick={() => act(r.id, 'resume')}>Resume</button>}
            {operator && ['running', 'paused', 'awaiting-approval', 'planned'].includes(r.state) && <button onClick={() => act(r.id, 'abort')}>Abort</button>}
            {operator && ['running', 'paused', 'completed'].includes(r.state) && (
              <button onClick={() => act(r.id, 'rollback')} data-testid="rollback">
                Roll back
              </button>
            )}
          </div>
        </article>
      ))}
    </section>
  );
}
