import { formatShare } from '../format';
import type { PopDetail } from '../types';

export function PopDetailPanel({ pop, close }: { pop: PopDetail; close: () => void }) {
  const models = new Map(pop.routerModels.map((m) => [m.id, m]));
  return (
    <section className="panel" data-testid="pop-detail">
      <h2>
        PoP {pop.id} <span className={`badge ${pop.status}`}>{pop.status}</span>{' '}
        <button className="link" onClick={close} aria-label="close">
          ×
        </button>
      </h2>
      <div className="muted small">
        region {pop.region} · load {formatShare(pop.load)} · traffic failing {formatShare(pop.trafficFailing)} · HTTP errors {formatShare(pop.httpErrorRate)}
      </div>
      <table>
        <thead>
          <tr>
            <th>router</th>
            <th>model / OS</th>
            <th>up</th>
            <th>BGP</th>
            <th>CPU</th>
            <th>memory</th>
            <th>crashes</th>
            <th>rules</th>
          </tr>
        </thead>
        <tbody>
          {pop.routerHealth.map((r) => {
            const m = models.get(r.routerId);
            return (
              <tr key={r.routerId} className={r.up ? '' : 'down-row'}>
                <td>{r.routerId}</td>
                <td>{m ? `${m.vendor} ${m.model} ${m.osVersion}` : ''}</td>
                <td>{r.up ? 'up' : 'DOWN'}</td>
                <td>{r.bgpEstablished ? 'established' : 'down'}</td>
                <td>{formatShare(r.cpu)}</td>
                <td>{formatShare(r.memory)}</td>
                <td>{r.crashes}</td>
                <td>{r.installedRuleIds.length}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="small">
        installed: {pop.installedRuleIds.length === 0 ? <span className="muted">none</span> : pop.installedRuleIds.map((id) => <code key={id}>{id} </code>)}
      </div>
    </section>
  );
}
