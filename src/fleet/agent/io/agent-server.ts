// The agent: serves the line-JSON protocol on a TCP address (loopback) for one NftHost.
// Bad requests get an error response; the connection and the installed rules survive.
import { type Server, createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { type AgentResponse, agentRequestSchema } from '../protocol.js';
import type { NftHost } from './nft-host.js';

export function startAgentServer(host: NftHost, listen: { host: string; port: number }): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    const lines = createInterface({ input: socket, crlfDelay: Infinity });
    lines.on('line', (line) => {
      let response: AgentResponse;
      try {
        const parsed = agentRequestSchema.safeParse(JSON.parse(line));
        if (!parsed.success) response = { ok: false, error: { code: 'agent_bad_request', message: parsed.error.issues.map((i) => i.message).join('; ') } };
        else {
          const req = parsed.data;
          const result =
            req.op === 'apply' ? (host.apply(req.artifact), { applied: true })
            : req.op === 'revert' ? (host.revert(req.artifact), { reverted: true })
            : req.op === 'health' ? host.health(Date.now())
            : req.op === 'installed' ? host.installed()
            : host.counters();
          response = { ok: true, result };
        }
      } catch (e) {
        response = { ok: false, error: { code: e instanceof SyntaxError ? 'agent_bad_request' : 'agent_failed', message: (e as Error).message } };
      }
      socket.write(`${JSON.stringify(response)}\n`);
    });
    socket.on('error', () => socket.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}
