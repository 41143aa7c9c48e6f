import { formatShare } from '../format';
import type { PopView } from '../types';

const W = 640;
const H = 260;
const x = (lon: number): number => ((lon + 180) / 360) * W;
/** Equirectangular, latitudes 75N..60S (where the PoPs are). */
const y = (lat: number): number => ((75 - lat) / 135) * H;

export function FleetPanel({ pops, selected, select }: { pops: PopView[]; selected?: string; select: (id: string) => void }) {
  const located = pops.filter((p) => p.location);
  const counts = { ok: 0, degraded: 0, down: 0 };
  for (const p of pops) counts[p.status]++;
  return (
    <section className="panel" data-testid="fleet">
      <h2>
        Fleet <span className="muted small">{pops.length} PoPs: {counts.ok} ok, {counts.degraded} degraded, {counts.down} down</span>
      </h2>
      {located.length > 0 && located.length <= 400 && (
        <svg className="map" viewBox={`0 0 ${W} ${H}`} width="100%" aria-label="PoP map">
          <rect width={W} height={H} className="map-bg" />
          {[-150, -120, -90, -60, -30, 0, 30, 60, 90, 120, 150].map((lon) => (
            <line key={`lon${lon}`} x1={x(lon)} x2={x(lon)} y1={0} y2={H} className="graticule" />
          ))}
          {[60, 30, 0, -30].map((lat) => (
            <line key={`lat${lat}`} x1={0} x2={W} y1={y(lat)} y2={y(lat)} className={lat === 0 ? 'graticule equator' : 'graticule'} />
          ))}
          {located.map((p) => (
            <g key={p.id} onClick={() => select(p.id)} className="pop-mark">
              <circle cx={x(p.location!.lon)} cy={y(p.location!.lat)} r={4 + Math.min(6, p.load * 6)} className={`pop-dot ${p.status}${selected === p.id ? ' selected' : ''}`}>
                <title>{`${p.id} (${p.region}): ${p.status}, ${p.routersUp}/${p.routers} routers up, ${formatShare(p.trafficFailing)} failing`}</title>
              </circle>
              {located.length <= 40 && (
                <text x={x(p.location!.lon) + 7} y={y(p.location!.lat) - 5} className="pop-label">
                  {p.id}
                </text>
              )}
            </g>
          ))}
        </svg>
      )}
      <div className="pop-grid">
        {pops.slice(0, 400).map((p) => (
          <button
            key={p.id}
            className={`pop ${p.status}${selected === p.id ? ' selected' : ''}`}
            data-testid="pop"
            data-status={p.status}
            onClick={() => select(p.id)}
            title={`${p.region}, ${p.installedRules} rules, load ${formatShare(p.load)}`}
          >
            <div className="pop-id">{p.id}</div>
            <div className="pop-meta">
              {p.routersUp}/{p.routers} up · {formatShare(p.trafficFailing)} fail
            </div>
            <div className="pop-meta">{p.installedRules} rules</div>
          </button>
        ))}
      </div>
      {pops.length > 400 && <p className="muted">{pops.length - 400} more PoPs not shown.</p>}
    </section>
  );
}
