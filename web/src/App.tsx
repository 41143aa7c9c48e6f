import { useCallback, useEffect, useState } from 'react';
import { ApiFailure, api, getToken, setToken, subscribe } from './api';
import type { AttackView, AuditView, Finding, PopView, RolloutView } from './types';

const fmtRate = (v: number, unit: string): string => {
  const units = ['', 'k', 'M', 'G', 'T'];
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(v < 10 && i > 0 ? 1 : 0)} ${units[i]}${unit}`;
};
const fmtTime = (ms: number): string => new Date(ms).toISOString().slice(11, 19);
const pct = (x: number): string => `${(x * 100).toFixed(x < 0.01 && x > 0 ? 2 : 1)}%`;

function Sparkline({ series }: { series: Array<[number, number]> }) {
  if (series.length < 2) return <svg className="spark" />;
  const w = 220;
  const h = 48;
  const t0 = series[0]![0];
  const t1 = series[series.length - 1]![0];
  const max = Math.max(...series.map((s) => s[1]), 1);
  const pts = series.map(([t, v]) => `${(((t - t0) / Math.max(1, t1 - t0)) * w).toFixed(1)},${(h - (v / max) * (h - 4) - 2).toFixed(1)}`).join(' ');
  return (
    <svg className="spark" width={w} height={h} viewBox={`0 0 ${w} ${h}`} aria-label="rate graph">
      <polyline points={pts} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}

function Findings({ findings }: { findings: Finding[] }) {
  if (findings.length === 0) return <div className="ok-text">validation: no findings</div>;
  return (
    <ul className="findings">
      {findings.map((f, i) => (
        <li key={i} className={f.severity}>
          <code>{f.code}</code> {f.message}
        </li>
      ))}
    </ul>
  );
}

function AttacksPanel({ attacks }: { attacks: AttackView[] }) {
  return (
    <section className="panel" data-testid="attacks">
      <h2>Attacks</h2>
      {attacks.length === 0 && <p className="muted">No attacks detected.</p>}
      {attacks.map((a) => (
        <article key={a.id} className={`attack ${a.state}`} data-testid="attack">
          <header>
            <strong>{a.type}</strong> → {a.destination} <span className={`badge ${a.state}`}>{a.state}</span>
          </header>
          <div className="attack-body">
            <Sparkline series={a.series} />
            <dl>
              <dt>peak</dt>
              <dd>
                {fmtRate(a.peakPps, 'pps')} / {fmtRate(a.peakBps, 'bps')}
              </dd>
              <dt>since</dt>
              <dd>{fmtTime(a.startMs)}</dd>
              <dt>PoPs</dt>
              <dd>{a.pops.join(', ')}</dd>
            </dl>
          </div>
          {a.signature && (
            <div className="signature">
              signature <code>{a.signature.summary}</code> — coverage {pct(a.signature.coverage)}, collateral {pct(a.signature.collateral)}
            </div>
          )}
          {a.proposedRule && (
            <details open>
              <summary>proposed rule {a.proposedRule.id}</summary>
              <pre>{a.proposedRule.text}</pre>
              <Findings findings={a.proposedRule.findings} />
            </details>
          )}
        </article>
      ))}
    </section>
  );
}

function RolloutsPanel({ rollouts, act }: { rollouts: RolloutView[]; act: (id: string, verb: string) => void }) {
  return (
    <section className="panel" data-testid="rollouts">
      <h2>Rollouts</h2>
      {rollouts.length === 0 && <p className="muted">No rollouts yet.</p>}
      {rollouts.map((r) => (
        <article key={r.id} className="rollout" data-testid="rollout" data-state={r.state}>
          <header>
            <strong>{r.title}</strong> <span className={`badge ${r.state}`} data-testid="rollout-state">{r.state}</span>
            <span className="muted"> by {r.author}{r.approvedBy ? `, approved by ${r.approvedBy}` : ''}</span>
          </header>
          <ol className="waves">
            {r.waves.map((w) => (
              <li key={w.index} className={`wave ${w.state}`} title={`bake ${Math.round(w.bakeMs / 1000)} s`}>
                <span className="wave-name">{w.index === 0 ? 'canary' : `wave ${w.index}`}</span>
                <span className="wave-pops">{w.pops.join(' ')}</span>
                <span className="wave-state">{w.state}</span>
              </li>
            ))}
          </ol>
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
              <button onClick={() => act(r.id, 'approve')} data-testid="approve">
                Approve
              </button>
            )}
            {r.state === 'running' && <button onClick={() => act(r.id, 'pause')}>Pause</button>}
            {r.state === 'paused' && <button onClick={() => act(r.id, 'resume')}>Resume</button>}
            {['running', 'paused', 'awaiting-approval', 'planned'].includes(r.state) && <button onClick={() => act(r.id, 'abort')}>Abort</button>}
            {['running', 'paused', 'completed'].includes(r.state) && <button onClick={() => act(r.id, 'rollback')}>Roll back</button>}
          </div>
        </article>
      ))}
    </section>
  );
}

function FleetPanel({ pops }: { pops: PopView[] }) {
  const w = 640;
  const h = 300;
  const x = (lon: number): number => ((lon + 180) / 360) * w;
  const y = (lat: number): number => ((90 - lat) / 180) * h;
  const located = pops.filter((p) => p.location);
  return (
    <section className="panel" data-testid="fleet">
      <h2>Fleet</h2>
      {located.length > 0 && located.length <= 400 && (
        <svg className="map" viewBox={`0 0 ${w} ${h}`} width="100%" aria-label="PoP map">
          <rect width={w} height={h} className="map-bg" />
          {located.map((p) => (
            <circle key={p.id} cx={x(p.location!.lon)} cy={y(p.location!.lat)} r={4 + Math.min(6, p.load * 6)} className={`pop-dot ${p.status}`}>
              <title>{`${p.id} (${p.region}): ${p.status}, ${p.routersUp}/${p.routers} routers up, ${pct(p.trafficFailing)} failing`}</title>
            </circle>
          ))}
        </svg>
      )}
      <div className="pop-grid">
        {pops.slice(0, 400).map((p) => (
          <div key={p.id} className={`pop ${p.status}`} data-testid="pop" data-status={p.status} title={`${p.region}, ${p.installedRules} rules`}>
            <div className="pop-id">{p.id}</div>
            <div className="pop-meta">
              {p.routersUp}/{p.routers} up · {pct(p.trafficFailing)} fail
            </div>
          </div>
        ))}
      </div>
      {pops.length > 400 && <p className="muted">{pops.length - 400} more PoPs not shown.</p>}
    </section>
  );
}

function AuditPanel({ audit }: { audit: AuditView[] }) {
  return (
    <section className="panel" data-testid="audit">
      <h2>Audit log</h2>
      <table>
        <thead>
          <tr>
            <th>time</th>
            <th>who</th>
            <th>what</th>
            <th>target</th>
            <th>why</th>
          </tr>
        </thead>
        <tbody>
          {audit.slice(0, 50).map((a) => (
            <tr key={a.id}>
              <td>{fmtTime(a.atMs)}</td>
              <td>{a.actor}</td>
              <td>{a.action}</td>
              <td>{a.target}</td>
              <td>{a.reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function App() {
  const [connected, setConnected] = useState(false);
  const [attacks, setAttacks] = useState<AttackView[]>([]);
  const [rollouts, setRollouts] = useState<RolloutView[]>([]);
  const [pops, setPops] = useState<PopView[]>([]);
  const [audit, setAudit] = useState<AuditView[]>([]);
  const [whoami, setWhoami] = useState<{ subject: string; role: string } | null>(null);
  const [error, setError] = useState<string>('');
  const [tokenDraft, setTokenDraft] = useState(getToken());
  const [log, setLog] = useState<string[]>([]);

  const load = useCallback(async (what: 'attacks' | 'rollouts' | 'fleet' | 'audit' | 'all') => {
    try {
      if (what === 'attacks' || what === 'all') setAttacks((await api<{ attacks: AttackView[] }>('GET', '/api/attacks')).attacks);
      if (what === 'rollouts' || what === 'all') setRollouts((await api<{ rollouts: RolloutView[] }>('GET', '/api/rollouts')).rollouts);
      if (what === 'fleet' || what === 'all') setPops((await api<{ pops: PopView[] }>('GET', '/api/fleet')).pops);
      if (what === 'audit' || what === 'all') setAudit((await api<{ entries: AuditView[] }>('GET', '/api/audit')).entries);
      setError('');
    } catch (e) {
      setError(e instanceof ApiFailure ? `${e.status} ${e.code}: ${e.message}` : String(e));
    }
  }, []);

  useEffect(() => {
    api<{ subject: string; role: string }>('GET', '/api/whoami').then(setWhoami, () => setWhoami(null));
    void load('all');
    const pending = new Set<string>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = (): void => {
      timer = undefined;
      for (const p of pending) void load(p as 'attacks');
      pending.clear();
    };
    return subscribe(
      (type, data) => {
        const map: Record<string, string> = { attack: 'attacks', signature: 'attacks', rule: 'attacks', rollout: 'rollouts', 'pop-health': 'fleet', audit: 'audit' };
        if (map[type]) pending.add(map[type]!);
        if (type === 'rollout') pending.add('fleet');
        if (type === 'demo' || type === 'scenario') setLog((l) => [...l.slice(-30), String((data as { message?: string }).message ?? JSON.stringify(data))]);
        if (!timer) timer = setTimeout(flush, 250);
      },
      setConnected,
    );
  }, [load]);

  const act = async (id: string, verb: string): Promise<void> => {
    try {
      await api('POST', `/api/rollouts/${encodeURIComponent(id)}/${verb}`, { reason: `${verb} from dashboard` });
      await load('rollouts');
      await load('audit');
    } catch (e) {
      setError(e instanceof ApiFailure ? `${e.status} ${e.code}: ${e.message}` : String(e));
    }
  };

  const runScenario = async (): Promise<void> => {
    try {
      await api('POST', '/api/scenarios/demo/run', {});
    } catch (e) {
      setError(e instanceof ApiFailure ? `${e.status} ${e.code}: ${e.message}` : String(e));
    }
  };

  const killswitch = async (): Promise<void> => {
    if (!window.confirm('Withdraw every Flowspec rule everywhere?')) return;
    try {
      await api('POST', '/api/killswitch', { kind: 'flowspec', reason: 'kill switch from dashboard' });
    } catch (e) {
      setError(e instanceof ApiFailure ? `${e.status} ${e.code}: ${e.message}` : String(e));
    }
  };

  return (
    <div className="app">
      <header className="top">
        <h1>failsmall</h1>
        <span className={`conn ${connected ? 'up' : 'down'}`} data-testid="live">
          {connected ? 'live' : 'offline'}
        </span>
        <span className="muted">{whoami ? `${whoami.subject} (${whoami.role})` : 'not signed in'}</span>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setToken(tokenDraft);
            window.location.reload();
          }}
        >
          <input aria-label="API token" placeholder="API token" value={tokenDraft} onChange={(e) => setTokenDraft(e.target.value)} />
          <button type="submit">Use token</button>
        </form>
        <button onClick={runScenario} data-testid="run-demo">
          Run demo scenario
        </button>
        <button className="danger" onClick={killswitch}>
          Kill switch
        </button>
      </header>
      {error && (
        <div className="error-banner" role="alert">
          {error}
        </div>
      )}
      <main>
        <AttacksPanel attacks={attacks} />
        <RolloutsPanel rollouts={rollouts} act={act} />
        <FleetPanel pops={pops} />
        <AuditPanel audit={audit} />
        {log.length > 0 && (
          <section className="panel" data-testid="log">
            <h2>Scenario log</h2>
            <pre>{log.join('\n')}</pre>
          </section>
        )}
      </main>
    </div>
  );
}
