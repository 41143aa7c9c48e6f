import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiFailure, api, getToken, setToken, subscribe } from './api';
import { AttacksPanel } from './components/attacks-panel';
import { AuditPanel } from './components/audit-panel';
import { FleetPanel } from './components/fleet-panel';
import { PopDetailPanel } from './components/pop-detail-panel';
import { RolloutsPanel } from './components/rollouts-panel';
import { RuleCheckPanel } from './components/rule-check-panel';
import { formatShare, formatTime, roleAllows } from './format';
import type { AttackView, AuditView, PopDetail, PopView, RolloutView } from './types';

type Part = 'attacks' | 'rollouts' | 'fleet' | 'audit';
const PART_OF_EVENT: Record<string, Part[]> = {
  attack: ['attacks'],
  signature: ['attacks'],
  rule: ['attacks'],
  rollout: ['rollouts', 'fleet', 'attacks'],
  'pop-health': ['fleet'],
  audit: ['audit'],
};

export function App() {
  const [connected, setConnected] = useState(false);
  const [attacks, setAttacks] = useState<AttackView[]>([]);
  const [rollouts, setRollouts] = useState<RolloutView[]>([]);
  const [pops, setPops] = useState<PopView[]>([]);
  const [failingShare, setFailingShare] = useState(0);
  const [audit, setAudit] = useState<AuditView[]>([]);
  const [simNowMs, setSimNowMs] = useState<number | undefined>();
  const [whoami, setWhoami] = useState<{ subject: string; role: string } | null>(null);
  const [error, setError] = useState<string>('');
  const [tokenDraft, setTokenDraft] = useState(getToken());
  const [log, setLog] = useState<string[]>([]);
  const [selectedPop, setSelectedPop] = useState<string | undefined>();
  const [popDetail, setPopDetail] = useState<PopDetail | undefined>();
  const selectedRef = useRef<string | undefined>(undefined);
  selectedRef.current = selectedPop;

  const report = (e: unknown): void => setError(e instanceof ApiFailure ? `${e.status} ${e.code}: ${e.message}` : String(e));

  const load = useCallback(async (parts: ReadonlySet<Part>) => {
    try {
      const jobs: Array<Promise<void>> = [];
      if (parts.has('attacks')) jobs.push(api<{ attacks: AttackView[] }>('GET', '/api/attacks').then((r) => setAttacks(r.attacks)));
      if (parts.has('rollouts')) jobs.push(api<{ rollouts: RolloutView[] }>('GET', '/api/rollouts').then((r) => setRollouts(r.rollouts)));
      if (parts.has('fleet')) {
        jobs.push(
          api<{ atMs: number; failingShare: number; pops: PopView[] }>('GET', '/api/fleet').then((r) => {
            setPops(r.pops);
            setFailingShare(r.failingShare);
            setSimNowMs(r.atMs);
          }),
        );
        const sel = selectedRef.current;
        if (sel) jobs.push(api<PopDetail>('GET', `/api/fleet/${encodeURIComponent(sel)}`).then(setPopDetail));
      }
      if (parts.has('audit')) jobs.push(api<{ entries: AuditView[] }>('GET', '/api/audit').then((r) => setAudit(r.entries)));
      await Promise.all(jobs);
      setError('');
    } catch (e) {
      report(e);
    }
  }, []);

  useEffect(() => {
    api<{ subject: string; role: string }>('GET', '/api/whoami').then(setWhoami, () => setWhoami(null));
    void load(new Set<Part>(['attacks', 'rollouts', 'fleet', 'audit']));
    // Coalesce bursts of events into one refresh per part every 250 ms.
    const pending = new Set<Part>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = (): void => {
      timer = undefined;
      const parts = new Set(pending);
      pending.clear();
      void load(parts);
    };
    return subscribe(
      (type, data, atMs) => {
        for (const p of PART_OF_EVENT[type] ?? []) pending.add(p);
        if (type === 'pop-health') setSimNowMs(atMs);
        if (type === 'demo' || type === 'scenario' || type === 'alert') {
          const line = `[sim ${formatTime(atMs)}] ${String((data as { message?: string }).message ?? JSON.stringify(data))}`;
          setLog((l) => [...l.slice(-40), line]);
        }
        if (pending.size > 0 && !timer) timer = setTimeout(flush, 250);
      },
      (up) => {
        setConnected(up);
        // After a reconnect, fetch everything: events may have been missed beyond the replay buffer.
        if (up) void load(new Set<Part>(['attacks', 'rollouts', 'fleet', 'audit']));
      },
    );
  }, [load]);

  const selectPop = (id: string): void => {
    setSelectedPop(id);
    api<PopDetail>('GET', `/api/fleet/${encodeURIComponent(id)}`).then(setPopDetail, report);
  };

  const act = async (id: string, verb: string): Promise<void> => {
    try {
      await api('POST', `/api/rollouts/${encodeURIComponent(id)}/${verb}`, { reason: `${verb} from dashboard` });
      await load(new Set<Part>(['rollouts', 'audit', 'fleet']));
    } catch (e) {
      report(e);
    }
  };

  const propose = async (attackId: string): Promise<void> => {
    try {
      await api('POST', '/api/rules/propose', { attackId });
      await load(new Set<Part>(['attacks', 'audit']));
    } catch (e) {
      report(e);
    }
  };

  const runScenario = async (): Promise<void> => {
    setLog([]); // before the request: the demo starts logging before the response arrives
    try {
      await api('POST', '/api/scenarios/demo/run', {});
    } catch (e) {
      report(e);
    }
  };

  const killswitch = async (): Promise<void> => {
    if (!window.confirm('Withdraw every Flowspec rule everywhere?')) return;
    try {
      await api('POST', '/api/killswitch', { kind: 'flowspec', reason: 'kill switch from dashboard' });
    } catch (e) {
      report(e);
    }
  };

  const role = whoami?.role;
  return (
    <div className="app">
      <header className="top">
        <h1>failsmall</h1>
        <span className={`conn ${connected ? 'up' : 'down'}`} data-testid="live">
          {connected ? 'live' : 'offline'}
        </span>
        {simNowMs !== undefined && (
          <span className="muted" title="simulated time (UTC); the demo runs it faster than the wall clock">
            sim {formatTime(simNowMs)} · {formatShare(failingShare)} of traffic failing
          </span>
        )}
        <span className="muted" data-testid="whoami">
          {whoami ? `${whoami.subject} (${whoami.role})` : 'not signed in'}
        </span>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setToken(tokenDraft);
            window.location.reload();
          }}
        >
          <input aria-label="API token" placeholder="API token" type="password" value={tokenDraft} onChange={(e) => setTokenDraft(e.target.value)} />
          <button type="submit">Use token</button>
        </form>
        {roleAllows(role, 'operator') && (
          <>
            <button onClick={runScenario} data-testid="run-demo">
              Run demo scenario
            </button>
            <button className="danger" onClick={killswitch}>
              Kill switch
            </button>
          </>
        )}
      </header>
      {error && (
        <div className="error-banner" role="alert">
          {error}
        </div>
      )}
      <main>
        <AttacksPanel attacks={attacks} canPropose={roleAllows(role, 'operator')} propose={propose} />
        <RolloutsPanel rollouts={rollouts} pops={pops} role={role} nowMs={simNowMs ?? 0} act={act} />
        <FleetPanel pops={pops} selected={selectedPop} select={selectPop} />
        {popDetail && selectedPop && <PopDetailPanel pop={popDetail} close={() => (setSelectedPop(undefined), setPopDetail(undefined))} />}
        <RuleCheckPanel canPropose={roleAllows(role, 'operator')} />
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
