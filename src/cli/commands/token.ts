// `failsmall token create`: an API token with a role; the store keeps only its hash.
import type { Command } from 'commander';
import { hashToken } from '../../api/auth.js';
import { FailsmallStore, type TokenRole } from '../../store/index.js';
import { UsageError } from '../exit-codes.js';
import { mkdirSync, } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';

export function register(program: Command): void {
  const token = program.command('token').description('API tokens (roles: viewer, operator, approver)');
  token
    .command('create')
    .description('create a token; it is printed once and only its hash is stored')
    .requiredOption('--role <role>', 'viewer | operator | approver')
    .requiredOption('--subject <name>', 'who the token belongs to (recorded in the audit log)')
    .option('--db <path>', 'SQLite database file', './var/failsmall.sqlite')
    .action(async (o: { role: string; subject: string; db: string }) => {
      if (!['viewer', 'operator', 'approver'].includes(o.role)) throw new UsageError(`--role must be viewer, operator or approver, got "${o.role}"`);
      mkdirSync(dirname(o.db), { recursive: true });
      const store = await FailsmallStore.openSqlite(o.db);
      const t = `fs_${randomBytes(18).toString('base64url')}`;
      await store.putToken(hashToken(t), o.subject, o.role as TokenRole, Date.now());
      await store.appendAudit({ atMs: Date.now(), actor: 'cli', action: 'token-create', target: o.subject, reason: `role ${o.role}`, diff: null });
      await store.close();
      process.stdout.write(`${t}\n`);
    });
}
