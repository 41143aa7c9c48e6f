import type { Finding } from '../types';

export function FindingsList({ findings, okText = 'validation: no findings' }: { findings: Finding[]; okText?: string }) {
  if (findings.length === 0) return <div className="ok-text">{okText}</div>;
  return (
    <ul className="findings" data-testid="findings">
      {findings.map((f, i) => (
        <li key={i} className={f.severity}>
          <code>{f.code}</code>
          {f.rule ? <span className="muted"> {f.rule}</span> : null}
          {f.line !== undefined ? <span className="muted"> line {f.line}</span> : null} {f.message}
        </li>
      ))}
    </ul>
  );
}
