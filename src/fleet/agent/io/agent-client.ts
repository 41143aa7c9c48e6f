// EnforcementTarget over nftables agents: one TCP address per PoP, one request per connection.
// Every failure (unreachable, timeout, closed without an answer, garbage, an agent error) is an
// AgentError the executor treats as an operational failure; nothing here throws asynchronously.
import { createConnection } from 'node:net';
import type { Artifact, EnforcementTarget, PopHealth } from '../../enforcement.js';
import type { AgentRequest, AgentResponse, RuleCounter } from '../protocol.js';

export class AgentError extends Error {
  override name = 'AgentError';
  constructor(
    message: string,
    /** The agent's error code (agent_bad_request, agent_failed) when it answered with one. */
    readonly code?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class AgentClient implements EnforcementTarget {
  constructor(
    private readonly agents: ReadonlyMap<string, { host: string; port: number }>,
    private readonly timeoutMs = 20_000,
  ) {}

  private request<T>(popId: string, req: AgentRequest): Promise<T> {
    const addr = this.agents.get(popId);
    if (!addr) return Promise.reject(new AgentError(`no agent is configured for PoP ${popId}`));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (err: AgentError | undefined, value?: T): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        if (err) reject(err);
        else resolve(value as T);
      };
      const socket = createConnection(addr);
      let buf = '';
      const timer = setTimeout(() => finish(new AgentError(`agent ${popId} at ${addr.host}:${addr.port} did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      socket.on('connect', () => socket.write(`${JSON.stringify(req)}\n`));
      socket.on('data', (d) => {
        buf += d.toString('utf8');
        const nl = buf.indexOf('\n');
        if (nl < 0) return;
        let res: AgentResponse;
        try {
          res = JSON.parse(buf.slice(0, nl)) as AgentResponse;
        } catch (e) {
          finish(new AgentError(`agent ${popId} answered something that is not JSON`, undefined, { cause: e }));
          return;
        }
        if (res.ok === true) finish(undefined, res.result as T);
        else if (res.ok === false && res.error) finish(new AgentError(`agent ${popId}: ${res.error.code}: ${res.error.message}`, res.error.code));
        else finish(new AgentError(`agent ${popId} answered without ok/result`));
      });
      socket.on('error', (e) => finish(new AgentError(`agent ${popId} at ${addr.host}:${addr.port} is unreachable`, undefined, { cause: e })));
      socket.on('close', () => finish(new AgentError(`agent ${popId} closed the connection without answering`)));
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

  /** Packets and bytes each rule matched, read from the kernel's nft counters. */
  counters(popId: string): Promise<RuleCounter[]> {
    return this.request(popId, { op: 'counters' });
  }
}
