// EnforcementTarget over agents: one TCP address per PoP, one request per connection.
import { createConnection } from 'node:net';
import type { Artifact, EnforcementTarget, PopHealth } from '../../enforcement.js';
import type { AgentRequest, AgentResponse, RuleCounter } from '../protocol.js';

export class AgentError extends Error {
  override name = 'AgentError';
}

export class AgentClient implements EnforcementTarget {
  constructor(
    private readonly agents: ReadonlyMap<string, { host: string; port: number }>,
    private readonly timeoutMs = 20_000,
  ) {}

  private request<T>(popId: string, req: AgentRequest): Promise<T> {
    const addr = this.agents.get(popId);
    if (!addr) return Promise.reject(new AgentError(`no agent for PoP ${popId}`));
    return new Promise<T>((resolve, reject) => {
      const socket = createConnection(addr);
      let buf = '';
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new AgentError(`agent ${popId} did not answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      socket.on('connect', () => socket.write(`${JSON.stringify(req)}\n`));
      socket.on('data', (d) => {
        buf += d.toString('utf8');
        const nl = buf.indexOf('\n');
        if (nl < 0) return;
        clearTimeout(timer);
        socket.end();
        const res = JSON.parse(buf.slice(0, nl)) as AgentResponse;
        if (res.ok) resolve(res.result as T);
        else reject(new AgentError(`agent ${popId}: ${res.error.code}: ${res.error.message}`));
      });
      socket.on('error', (e) => {
        clearTimeout(timer);
        reject(new AgentError(`agent ${popId} unreachable`, { cause: e }));
      });
    });
  }

  async apply(popId: string, artifact: Artifact): Promise<void> {
    await this.request(popId, { op: 'apply', artifact });
  }
  async revert(popId: string, artifact: Artifact): Promise<void> {
    await this.request(popId, { op: 'revert', artifact });
  }
  health(popId: string): Promise<PopHealth> {
    return this.request(popId, { op: 'health' });
  }
  installed(popId: string): Promise<readonly string[]> {
    return this.request(popId, { op: 'installed' });
  }
  counters(popId: string): Promise<RuleCounter[]> {
    return this.request(popId, { op: 'counters' });
  }
}
