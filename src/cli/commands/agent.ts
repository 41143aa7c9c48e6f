// `failsmall agent`: an enforcement point that installs rules as nftables in a network
// namespace and answers the agent protocol (apply, revert, health, installed, counters).
import type { Command } from 'commander';
import { NftHost, startAgentServer } from '../../fleet/agent/index.js';
import { UsageError } from '../exit-codes.js';

export function register(program: Command): void {
  program
    .command('agent')
    .description('enforce rules with nftables inside a network namespace; serve the agent protocol (line JSON over TCP)')
    .requiredOption('--netns <name>', 'network namespace to enforce in (ip netns)')
    .requiredOption('--pop <id>', 'PoP id this agent enforces for')
    .option('--listen <host:port>', 'address for the control plane (loopback by default)', '127.0.0.1:7179')
    .option('--table <name>', 'nftables table (inet family) owned by the agent', 'failsmall')
    .action(async (o: { netns: string; pop: string; listen: string; table: string }) => {
      const m = /^(.+):(\d+)$/.exec(o.listen);
      if (!m) throw new UsageError(`--listen must be HOST:PORT, got "${o.listen}"`);
      const host = new NftHost(o.pop, o.netns, o.table);
      const { server, port } = await startAgentServer(host, { host: m[1]!, port: Number(m[2]) });
      process.stdout.write(`failsmall agent for PoP ${o.pop}: enforcing in netns ${o.netns}, listening on ${m[1]}:${port}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      server.close();
      host.flush();
    });
}
