import { formatRate, formatTime } from '../format';

/** An attack's estimated packet rate over time: filled area, peak and time span labelled. */
export function RateGraph({ series }: { series: Array<[number, number]> }) {
  const w = 240;
  const h = 64;
  if (series.length < 2) return <svg className="rate-graph" width={w} height={h} aria-label="rate graph (collecting)" />;
  const t0 = series[0]![0];
  const t1 = series[series.length - 1]![0];
  const max = Math.max(...series.map((s) => s[1]), 1);
  const top = 12;
  const bottom = h - 12;
  const x = (t: number): number => ((t - t0) / Math.max(1, t1 - t0)) * w;
  const y = (v: number): number => bottom - (v / max) * (bottom - top);
  const line = series.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  return (
    <svg className="rate-graph" width={w} height={h} viewBox={`0 0 ${w} ${h}`} aria-label="rate graph">
      <polygon points={`0,${bottom} ${line} ${w},${bottom}`} className="rate-fill" />
      <polyline points={line} fill="none" className="rate-line" strokeWidth="1.5" />
      <line x1={0} x2={w} y1={bottom} y2={bottom} className="rate-axis" />
      <text x={2} y={9} className="rate-label">
        peak {formatRate(max, 'pps')}
      </text>
      <text x={2} y={h - 1} className="rate-label">
        {formatTime(t0)}
      </text>
      <text x={w - 2} y={h - 1} className="rate-label" textAnchor="end">
        {formatTime(t1)}
      </text>
    </svg>
  );
}
