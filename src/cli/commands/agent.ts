// `failsmall agent`: an enforcement point that installs rules as nftables in a network
// namespace and answers the agent protocol (line JSON over TCP: apply, revert, health,
// installed, counters). See src/fleet/agent/protocol.ts.
import type { Command } from 'commander';
import { NftHost, startAgentServer } from '../../fleet/agent/index.js';
import { UsageError } from '../exit-codes.js';

export function register(program: Command): void {
  program
    .command('agent')
    .description('enforce rules with nftables inside a network namespace; serve the agent protocol (line JSON over TCP)')
    .requiredOption('--netns <name>', 'network namespace to enforce in (see ip netns)')
    .option('--pop <id>', 'PoP id this agent enforces for (default: the namespace name)')
    .option('--listen <host:port>', 'address for the control plane (loopback by default; port 0 picks a free one)', '127.0.0.1:7179')
    .option('--table <name>', 'nftables table (inet family) owned by the agent', 'failsmall')
    .option('--state <file>', 'keep the enforced rule set here: restored at start, and the rules stay in the kernel when the agent exits')
    .action(async (o: { netns: string; pop?: string; listen: string; table: string; state?: string }) => {
      const m = /^(.+):(\d+)$/.exec(o.listen);
      if (!m || Number(m[2]) > 65535) throw new UsageError(`--listen must be HOST:PORT, got "${o.listen}"`);
      if (!/^[\w.-]+$/.test(o.netns)) throw new UsageError(`--netns must be a namespace name, got "${o.netns}"`);
      if (!/^[A-Za-z][\w-]*$/.test(o.table)) throw new UsageError(`--table must be an nftables identifier, got "${o.table}"`);
      const popId = o.pop ?? o.netns;
      const host = new NftHost(popId, o.netns, { table: o.table, ...(o.state ? { stateFile: o.state } : {}) });
      const restored = host.restore();
      const { server, port } = await startAgentServer(host, { host: m[1]!, port: Number(m[2]) });
      process.stdout.write(`failsmall agent for PoP ${popId}: enforcing in netns ${o.netns} (table inet ${o.table}${restored.length ? `, restored ${restored.length} rule(s)` : ''}), listening on ${m[1]}:${port}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      server.close();
      if (!o.state) host.flush();
    });
}
