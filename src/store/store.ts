// The store: the only place with SQL. SQLite (better-sqlite3) is the embedded default;
// PostgreSQL (pg) serves a multi-node deployment through the same migrations and queries.
import Database from 'better-sqlite3';
import { Kysely, type Migration, type MigrationProvider, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { RolloutEvent, RolloutState } from '../rollout/index.js';
import { migration0001 } from './migrations/0001-initial.js';
import { migration0002 } from './migrations/0002-approvals.js';
import type { Database as Schema } from './schema.js';

export interface AuditEntry {
  readonly id: number;
  readonly atMs: number;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly reason: string;
  readonly diff: unknown;
}

export interface Approval {
  readonly rolloutId: string;
  readonly approver: string;
  readonly atMs: number;
  readonly reason: string;
}

export type TokenRole = 'viewer' | 'operator' | 'approver';

export class StoreError extends Error {
  override name = 'StoreError';
}

function migrations(dialect: 'sqlite' | 'postgres'): MigrationProvider {
  const all: Record<string, Migration> = { '0001-initial': migration0001(dialect), '0002-approvals': migration0002(dialect) };
  return { getMigrations: async () => all };
}

export class FailsmallStore {
  private constructor(
    readonly db: Kysely<Schema>,
    readonly dialect: 'sqlite' | 'postgres',
  ) {}

  /** Open (creating if needed) an SQLite file, or ':memory:'. */
  static async openSqlite(path: string): Promise<FailsmallStore> {
    const sqlite = new Database(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const store = new FailsmallStore(new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) }), 'sqlite');
    await store.migrate();
    return store;
  }

  static async openPostgres(connectionString: string): Promise<FailsmallStore> {
    const pool = new pg.Pool({ connectionString, max: 5 });
    // An idle connection that drops (server restart, network) is replaced by the pool; report it
    // instead of letting it surface as an unhandled error.
    pool.on('error', (e) => process.stderr.write(`failsmall: postgres idle connection error: ${e.message}\n`));
    const store = new FailsmallStore(new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) }), 'postgres');
    await store.migrate();
    return store;
  }

  private async migrate(): Promise<void> {
    const { error, results } = await new Migrator({ db: this.db, provider: migrations(this.dialect) }).migrateToLatest();
    const failed = results?.find((r) => r.status === 'Error');
    if (error || failed) throw new StoreError(`migration ${failed?.migrationName ?? ''} failed`, { cause: error });
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  // --- rollouts: state snapshot + append-only event log -------------------------------------

  /**
   * Persist an event and the state it led to, atomically (write-ahead of any action). With
   * `prev` (the state the event was applied to) the write is conditional: if another writer (a
   * second control-plane node) changed the rollout since it was read, nothing is written and a
   * StoreError says so.
   */
  async recordRollout(state: RolloutState, event: RolloutEvent | { type: 'created'; atMs: number }, prev?: RolloutState): Promise<void> {
    const p = state.plan;
    await this.db.transaction().execute(async (tx) => {
      const row = { kind: p.artifact.kind, phase: state.phase, author: p.author, title: p.title, state_json: JSON.stringify(state), updated_ms: state.updatedMs };
      if (prev) {
        const r = await tx.updateTable('rollouts').set(row).where('id', '=', p.id).where('state_json', '=', JSON.stringify(prev)).executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) throw new StoreError(`rollout ${p.id} was changed by another writer since it was read; nothing was recorded`);
      } else {
        const existing = await tx.selectFrom('rollouts').select('id').where('id', '=', p.id).executeTakeFirst();
        if (existing) await tx.updateTable('rollouts').set(row).where('id', '=', p.id).execute();
        else await tx.insertInto('rollouts').values({ id: p.id, created_ms: p.createdMs, ...row }).execute();
      }
      await tx.insertInto('rollout_events').values({ rollout_id: p.id, at_ms: event.atMs, event_json: JSON.stringify(event) }).execute();
      // An approval the reducer accepted is also kept as its own row, in the same transaction.
      if (event.type === 'approve' && state.approvedBy === event.by) {
        await tx.insertInto('approvals').values({ rollout_id: p.id, approver: event.by, at_ms: event.atMs, reason: p.title }).execute();
      }
    });
  }

  async listApprovals(rolloutId: string): Promise<Approval[]> {
    const rows = await this.db.selectFrom('approvals').selectAll().where('rollout_id', '=', rolloutId).orderBy('at_ms').execute();
    return rows.map((r) => ({ rolloutId: r.rollout_id, approver: r.approver, atMs: Number(r.at_ms), reason: r.reason }));
  }

  async getRollout(id: string): Promise<RolloutState | undefined> {
    const row = await this.db.selectFrom('rollouts').select('state_json').where('id', '=', id).executeTakeFirst();
    return row ? (JSON.parse(row.state_json) as RolloutState) : undefined;
  }

  /** Newest first; `limit` defaults to 200, `Infinity` lists every match (the executor's kill switch and recovery). */
  async listRollouts(opts: { phases?: readonly string[]; limit?: number } = {}): Promise<RolloutState[]> {
    const limit = opts.limit ?? 200;
    let q = this.db.selectFrom('rollouts').select('state_json').orderBy('created_ms', 'desc').orderBy('id', 'desc');
    if (Number.isFinite(limit)) q = q.limit(limit);
    if (opts.phases && opts.phases.length > 0) q = q.where('phase', 'in', [...opts.phases]);
    return (await q.execute()).map((r) => JSON.parse(r.state_json) as RolloutState);
  }

  async rolloutEvents(id: string): Promise<Array<RolloutEvent | { type: 'created'; atMs: number }>> {
    const rows = await this.db.selectFrom('rollout_events').select('event_json').where('rollout_id', '=', id).orderBy('seq').execute();
    return rows.map((r) => JSON.parse(r.event_json));
  }

  // --- audit log (append-only; UPDATE/DELETE abort in the database itself) ------------------

  async appendAudit(e: Omit<AuditEntry, 'id'>): Promise<void> {
    await this.db.insertInto('audit_log').values({ at_ms: e.atMs, actor: e.actor, action: e.action, target: e.target, reason: e.reason, diff_json: JSON.stringify(e.diff ?? null) }).execute();
  }

  async listAudit(limit = 200): Promise<AuditEntry[]> {
    const rows = await this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({ id: Number(r.id), atMs: Number(r.at_ms), actor: r.actor, action: r.action, target: r.target, reason: r.reason, diff: JSON.parse(r.diff_json) }));
  }

  // --- API tokens (only hashes stored) ------------------------------------------------------

  async putToken(tokenHash: string, subject: string, role: TokenRole, atMs: number): Promise<void> {
    await this.db.insertInto('api_tokens').values({ token_hash: tokenHash, subject, role, created_ms: atMs }).execute();
  }

  async findToken(tokenHash: string): Promise<{ subject: string; role: TokenRole } | undefined> {
    const row = await this.db.selectFrom('api_tokens').select(['subject', 'role']).where('token_hash', '=', tokenHash).executeTakeFirst();
    return row ? { subject: row.subject, role: row.role as TokenRole } : undefined;
  }

  // --- attacks ------------------------------------------------------------------------------

  async upsertAttack(id: string, attack: unknown, atMs: number): Promise<void> {
    const json = JSON.stringify(attack);
    const existing = await this.db.selectFrom('attacks').select('id').where('id', '=', id).executeTakeFirst();
    if (existing) await this.db.updateTable('attacks').set({ attack_json: json, updated_ms: atMs }).where('id', '=', id).execute();
    else await this.db.insertInto('attacks').values({ id, attack_json: json, updated_ms: atMs }).execute();
  }

  async listAttacks<T = unknown>(limit = 100): Promise<T[]> {
    const rows = await this.db.selectFrom('attacks').select('attack_json').orderBy('updated_ms', 'desc').limit(limit).execute();
    return rows.map((r) => JSON.parse(r.attack_json) as T);
  }
}
