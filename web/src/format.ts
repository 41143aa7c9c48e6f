// Number and time formatting for the dashboard.
export function formatRate(v: number, unit: string): string {
  const units = ['', 'k', 'M', 'G', 'T'];
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(v < 10 && i > 0 ? 1 : 0)} ${units[i]}${unit}`;
}

/** HH:MM:SS (UTC) of a simulated or wall-clock time. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

export function formatShare(x: number): string {
  return `${(x * 100).toFixed(x < 0.01 && x > 0 ? 2 : 1)}%`;
}

export function roleAllows(have: string | undefined, need: 'viewer' | 'operator' | 'approver'): boolean {
  const rank: Record<string, number> = { viewer: 0, operator: 1, approver: 2 };
  return have !== undefined && (rank[have] ?? -1) >= rank[need]!;
}
