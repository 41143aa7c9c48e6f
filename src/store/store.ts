// The store: the only place with SQL. SQLite (better-sqlite3) is the embedded default;
// PostgreSQL (pg) serves a multi-node deployment through the same migrations and queries.
import Database from 'better-sqlite3';
import { Kysely, type Migration, type MigrationProvider, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Artifact } from '../fleet/enforcement.js';
import type { RolloutEvent, RolloutState } from '../rollout/index.js';
import type { StoreCode } from './codes.js';
import { migration0001 } from './migrations/0001-initial.js';
import { migration0002 } from './migrations/0002-approvals.js';
import { migration0003 } from './migrations/0003-artifacts-signatures.js';
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

/** An audit entry to append: who did what to which target, why, and what changed. */
export type AuditInput = Omit<AuditEntry, 'id'>;

export type TokenRole = 'viewer' | 'operator' | 'approver';

export interface TokenRecord {
  readonly tokenHash: string;
  readonly subject: string;
  readonly role: TokenRole;
  readonly createdMs: number;
  readonly revokedMs?: number;
}

/** A proposed change kept by id (e.g. a profiler proposal awaiting review), with its validation findings. */
export interface StoredArtifact {
  readonly id: string;
  readonly artifact: Artifact;
  readonly author: string;
  readonly reason: string;
  readonly createdMs: number;
  readonly findings: readonly unknown[];
}

export interface StoredSignature<T = unknown> {
  readonly id: string;
  readonly attackId: string;
  readonly signature: T;
  readonly updatedMs: number;
}

/** One rollout write: the event, the state it leads to, the state it was based on, its audit entries. */
export interface RolloutWrite {
  readonly state: RolloutState;
  readonly event: RolloutEvent | { readonly type: 'created'; readonly atMs: number };
  /** The state the event was applied to; the write happens only if the stored state still equals it. */
  readonly prev?: RolloutState;
  readonly audits?: readonly AuditInput[];
}

export class StoreError extends Error {
  override name = 'StoreError';
  constructor(
    readonly code: StoreCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

function migrations(dialect: 'sqlite' | 'postgres'): MigrationProvider {
  const all: Record<string, Migration> = {
    '0001-initial': migration0001(dialect),
    '0002-approvals': migration0002(dialect),
    '0003-artifacts-signatures': migration0003(dialect),
  };
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
    if (error || failed) throw new StoreError('store_migration_failed', `migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  // --- rollouts: state snapshot + append-only event log -------------------------------------

  /**
   * Persist an event and the state it led to, atomically (write-ahead of any action), with the
   * audit entries of the step in the same transaction. With `prev` (the state the event was
   * applied to) the write is conditional: if another writer (a second control-plane node)
   * changed the rollout since it was read, nothing is written (StoreError store_stale_write).
   */
  async recordRollout(state: RolloutState, event: RolloutWrite['event'], prev?: RolloutState, audits: readonly AuditInput[] = []): Promise<void> {
    await this.recordRollouts([{ state, event, ...(prev ? { prev } : {}), audits }]);
  }

  /** Several rollout writes (and extra audit entries) in one transaction: all or nothing. */
  async recordRollouts(writes: readonly RolloutWrite[], audits: readonly AuditInput[] = []): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      for (const w of writes) {
        const { state, event, prev } = w;
        const p = state.plan;
        const row = { kind: p.artifact.kind, phase: state.phase, author: p.author, title: p.title, state_json: JSON.stringify(state), updated_ms: state.updatedMs };
        if (prev) {
          const r = await tx.updateTable('rollouts').set(row).where('id', '=', p.id).where('state_json', '=', JSON.stringify(prev)).executeTakeFirst();
          if (Number(r.numUpdatedRows) !== 1) throw new StoreError('store_stale_write', `rollout ${p.id} was changed by another writer since it was read; nothing was recorded`);
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
        for (const a of w.audits ?? []) await tx.insertInto('audit_log').values(auditRow(a)).execute();
      }
      for (const a of audits) await tx.insertInto('audit_log').values(auditRow(a)).execute();
    });
  }

  async listApprovals(rolloutId: string): Promise<Approval[]> {
    const rows = await this.db.selectFrom('approvals').selectAll().where('rollout_id', '=', rolloutId).orderBy('at_ms').execute();
    return rows.map((r) => ({ rolloutId: r.rollout_id, approver: r.approver, atMs: Number(r.at_ms), reason: r.reason }));
  }

  /** Approvals given by `approver`, newest first (an approver's history for the API). */
  async listApprovalsBy(approver: string, limit = 200): Promise<Approval[]> {
    const rows = await this.db.selectFrom('approvals').selectAll().where('approver', '=', approver).orderBy('at_ms', 'desc').limit(limit).execute();
    return rows.map((r) => ({ rolloutId: r.rollout_id, approver: r.approver, atMs: Number(r.at_ms), reason: r.reason }));
  }

  async getRollout(id: string): Promise<RolloutState | undefined> {
    const row = await this.db.selectFrom('rollouts').select('state_json').where('id', '=', id).executeTakeFirst();
    return row ? (JSON.parse(row.state_json) as RolloutState) : undefined;
  }

  /** Newest first; `limit` defaults to 200, `Infinity` lists every match (the executor's kill switch and recovery). */
  async listRollouts(opts: { phases?: readonly string[]; kind?: Artifact['kind']; limit?: number } = {}): Promise<RolloutState[]> {
    const limit = opts.limit ?? 200;
    let q = this.db.selectFrom('rollouts').select('state_json').orderBy('created_ms', 'desc').orderBy('id', 'desc');
    if (Number.isFinite(limit)) q = q.limit(limit);
    if (opts.phases && opts.phases.length > 0) q = q.where('phase', 'in', [...opts.phases]);
    if (opts.kind) q = q.where('kind', '=', opts.kind);
    return (await q.execute()).map((r) => JSON.parse(r.state_json) as RolloutState);
  }

  async rolloutEvents(id: string): Promise<Array<RolloutEvent | { type: 'created'; atMs: number }>> {
    const rows = await this.db.selectFrom('rollout_events').select('event_json').where('rollout_id', '=', id).orderBy('seq').execute();
    return rows.map((r) => JSON.parse(r.event_json));
  }

  // --- audit log (append-only; UPDATE/DELETE abort in the database itself) ------------------

  async appendAudit(e: AuditInput): Promise<void> {
    await this.db.insertInto('audit_log').values(auditRow(e)).execute();
  }

  /** Newest first; optionally only the entries about one target (a rollout id, a kind, "fleet") or by one actor. */
  async listAudit(limit = 200, filter: { target?: string; actor?: string } = {}): Promise<AuditEntry[]> {
    let q = this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit);
    if (filter.target !== undefined) q = q.where('target', '=', filter.target);
    if (filter.actor !== undefined) q = q.where('actor', '=', filter.actor);
    const rows = await q.execute();
    return rows.map((r) => ({ id: Number(r.id), atMs: Number(r.at_ms), actor: r.actor, action: r.action, target: r.target, reason: r.reason, diff: JSON.parse(r.diff_json) }));
  }

  // --- API tokens (only hashes stored) ------------------------------------------------------

  async putToken(tokenHash: string, subject: string, role: TokenRole, atMs: number): Promise<void> {
    await this.db.insertInto('api_tokens').values({ token_hash: tokenHash, subject, role, created_ms: atMs }).execute();
  }

  /** The subject and role of a token hash that exists and is not revoked. */
  async findToken(tokenHash: string): Promise<{ subject: string; role: TokenRole } | undefined> {
    const row = await this.db.selectFrom('api_tokens').select(['subject', 'role']).where('token_hash', '=', tokenHash).where('revoked_ms', 'is', null).executeTakeFirst();
    return row ? { subject: row.subject, role: row.role as TokenRole } : undefined;
  }

  async listTokens(): Promise<TokenRecord[]> {
    const rows = await this.db.selectFrom('api_tokens').selectAll().orderBy('created_ms').orderBy('token_hash').execute();
    return rows.map((r) => ({ tokenHash: r.token_hash, subject: r.subject, role: r.role as TokenRole, createdMs: Number(r.created_ms), ...(r.revoked_ms !== null ? { revokedMs: Number(r.revoked_ms) } : {}) }));
  }

  /** Revoke a token (kept, marked revoked). False when no live token has that hash. */
  async revokeToken(tokenHash: string, atMs: number): Promise<boolean> {
    const r = await this.db.updateTable('api_tokens').set({ revoked_ms: atMs }).where('token_hash', '=', tokenHash).where('revoked_ms', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
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

  // --- artifacts (proposed changes) and signatures --------------------------------------------

  /** Keep a proposed change; an id is written once (a revised change gets a new id). */
  async putArtifact(a: StoredArtifact): Promise<void> {
    await this.db
      .insertInto('artifacts')
      .values({ id: a.id, kind: a.artifact.kind, author: a.author, reason: a.reason, created_ms: a.createdMs, artifact_json: JSON.stringify(a.artifact), findings_json: JSON.stringify(a.findings) })
      .execute();
  }

  async getArtifact(id: string): Promise<StoredArtifact | undefined> {
    const r = await this.db.selectFrom('artifacts').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? artifactOf(r) : undefined;
  }

  /** Newest first. */
  async listArtifacts(opts: { kind?: Artifact['kind']; limit?: number } = {}): Promise<StoredArtifact[]> {
    let q = this.db.selectFrom('artifacts').selectAll().orderBy('created_ms', 'desc').orderBy('id', 'desc').limit(opts.limit ?? 200);
    if (opts.kind) q = q.where('kind', '=', opts.kind);
    return (await q.execute()).map(artifactOf);
  }

  async upsertSignature(id: string, attackId: string, signature: unknown, atMs: number): Promise<void> {
    const json = JSON.stringify(signature);
    const existing = await this.db.selectFrom('signatures').select('id').where('id', '=', id).executeTakeFirst();
    if (existing) await this.db.updateTable('signatures').set({ attack_id: attackId, signature_json: json, updated_ms: atMs }).where('id', '=', id).execute();
    else await this.db.insertInto('signatures').values({ id, attack_id: attackId, signature_json: json, updated_ms: atMs }).execute();
  }

  /** Newest first; optionally only one attack's signatures. */
  async listSignatures<T = unknown>(opts: { attackId?: string; limit?: number } = {}): Promise<Array<StoredSignature<T>>> {
    let q = this.db.selectFrom('signatures').selectAll().orderBy('updated_ms', 'desc').orderBy('id', 'desc').limit(opts.limit ?? 100);
    if (opts.attackId !== undefined) q = q.where('attack_id', '=', opts.attackId);
    return (await q.execute()).map((r) => ({ id: r.id, attackId: r.attack_id, signature: JSON.parse(r.signature_json) as T, updatedMs: Number(r.updated_ms) }));
  }
}

function auditRow(e: AuditInput): { at_ms: number; actor: string; action: string; target: string; reason: string; diff_json: string } {
  return { at_ms: e.atMs, actor: e.actor, action: e.action, target: e.target, reason: e.reason, diff_json: JSON.stringify(e.diff ?? null) };
}

function artifactOf(r: { id: string; author: string; reason: string; created_ms: number; artifact_json: string; findings_json: string }): StoredArtifact {
  return { id: r.id, artifact: JSON.parse(r.artifact_json) as Artifact, author: r.author, reason: r.reason, createdMs: Number(r.created_ms), findings: JSON.parse(r.findings_json) as unknown[] };
}
