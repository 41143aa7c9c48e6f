// `failsmall token create`: an API token with a role; the store keeps only its hash.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { hashToken } from '../../api/auth.js';
import { FailsmallStore, type TokenRole } from '../../store/index.js';
import { UsageError } from '../exit-codes.js';
import { printJson } from '../output.js';

const ROLES: readonly TokenRole[] = ['viewer', 'operator', 'approver'];

export function register(program: Command): void {
  const token = program.command('token').description('API tokens (roles: viewer reads; operator also changes; approver also approves wide-scope rollouts)');
  token
    .command('create')
    .description('create a token; it is printed once and only its SHA-256 is stored')
    .requiredOption('--role <role>', 'viewer | operator | approver')
    .requiredOption('--subject <name>', 'who the token belongs to (recorded in the audit log)')
    .option('--db <path|url>', 'SQLite database file, or postgres://... (the one `serve` uses)', './var/failsmall.sqlite')
    .option('--json', 'print {"token", "subject", "role"}')
    .action(async (o: { role: string; subject: string; db: string; json?: boolean }) => {
      if (!ROLES.includes(o.role as TokenRole)) throw new UsageError(`--role must be viewer, operator or approver, got "${o.role}"`);
      if (!/^[\w.@-]{1,100}$/.test(o.subject)) throw new UsageError(`--subject must be 1-100 letters, digits or . _ @ -, got "${o.subject}"`);
      const postgres = /^postgres(ql)?:\/\//.test(o.db);
      if (!postgres) mkdirSync(dirname(o.db), { recursive: true });
      const store = postgres ? await FailsmallStore.openPostgres(o.db) : await FailsmallStore.openSqlite(o.db);
      try {
        const t = `fs_${randomBytes(18).toString('base64url')}`;
        await store.putToken(hashToken(t), o.subject, o.role as TokenRole, Date.now());
        await store.appendAudit({ atMs: Date.now(), actor: 'cli', action: 'token-create', target: o.subject, reason: `role ${o.role}`, diff: null });
        if (o.json) printJson({ token: t, subject: o.subject, role: o.role });
        else process.stdout.write(`${t}\n`);
      } finally {
        await store.close();
      }
    });
}
