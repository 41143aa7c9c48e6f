// The dashboard talks to the API only. The token lives in localStorage (or ?token= in the URL).
export function getToken(): string {
  const fromUrl = new URLSearchParams(window.location.search).get('token');
  if (fromUrl) localStorage.setItem('failsmall.token', fromUrl);
  return localStorage.getItem('failsmall.token') ?? '';
}

export function setToken(token: string): void {
  localStorage.setItem('failsmall.token', token);
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly findings: Array<{ code: string; message: string }>,
  ) {
    super(message);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${getToken()}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const json = text ? JSON.parse(text) : {};
  if (!res.ok) throw new ApiFailure(res.status, json?.error?.code ?? 'error', json?.error?.message ?? res.statusText, json?.error?.findings ?? []);
  return json as T;
}

/** Subscribes to the SSE stream; calls onEvent for every event and onState on connect/disconnect. */
export function subscribe(onEvent: (type: string, data: unknown, atMs: number) => void, onState: (connected: boolean) => void): () => void {
  const source = new EventSource(`/api/events?token=${encodeURIComponent(getToken())}`);
  source.onopen = () => onState(true);
  source.onerror = () => onState(false);
  const handler = (e: MessageEvent): void => {
    const parsed = JSON.parse(e.data) as { atMs: number; data: unknown };
    onEvent(e.type, parsed.data, parsed.atMs);
  };
  for (const type of ['attack', 'signature', 'rule', 'rollout', 'pop-health', 'audit', 'scenario', 'demo', 'alert']) source.addEventListener(type, handler as EventListener);
  return () => source.close();
}
