import { formatTime } from '../format';
import type { AuditView } from '../types';

export function AuditPanel({ audit }: { audit: AuditView[] }) {
  return (
    <section className="panel" data-testid="audit">
      <h2>
        Audit log <span className="muted small">append-only; newest first</span>
      </h2>
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
              <td>{formatTime(a.atMs)}</td>
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
