// The agent: serves the line-JSON protocol (../protocol.ts) on a TCP address (loopback) for
// one NftHost. A bad request gets an error response; the connection and the installed rules
// survive it. Requests on one connection are answered in order.
import { type Server, createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { type AgentRequest, type AgentResponse, parseAgentRequest } from '../protocol.js';
import type { NftHost } from './nft-host.js';

/** Longest request line accepted (a change of a few thousand rules fits). */
const MAX_LINE_BYTES = 8 * 1024 * 1024;

function perform(host: NftHost, req: AgentRequest): unknown {
  switch (req.op) {
    case 'apply':
      host.apply(req.artifact);
      return { applied: true, installed: host.installed() };
    case 'revert':
      host.revert(req.artifact);
      return { reverted: true, installed: host.installed() };
    case 'health':
      return host.health(Date.now());
    case 'installed':
      return host.installed();
    case 'counters':
      return host.counters();
  }
}

export function startAgentServer(host: NftHost, listen: { host: string; port: number }): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    let pending = 0;
    socket.on('data', (d) => {
      pending += d.length;
      if (pending > MAX_LINE_BYTES) {
        socket.end(`${JSON.stringify({ ok: false, error: { code: 'agent_bad_request', message: `request line longer than ${MAX_LINE_BYTES} bytes` } })}\n`);
        socket.destroy();
      }
    });
    const lines = createInterface({ input: socket, crlfDelay: Infinity });
    lines.on('line', (line) => {
      pending = 0;
      let response: AgentResponse;
      const parsed = parseAgentRequest(line);
      if (!parsed.ok) response = { ok: false, error: parsed.error };
      else {
        try {
          response = { ok: true, result: perform(host, parsed.request) };
        } catch (e) {
          response = { ok: false, error: { code: 'agent_failed', message: (e as Error).message } };
        }
      }
      if (!socket.destroyed) socket.write(`${JSON.stringify(response)}\n`);
    });
    socket.on('error', () => socket.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}
