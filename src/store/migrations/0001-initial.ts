// 0001: rollouts and their event log, the append-only audit log, API tokens, attacks.
import { type Kysely, type Migration, sql } from 'kysely';

export function migration0001(dialect: 'sqlite' | 'postgres'): Migration {
  const autoId = dialect === 'sqlite' ? 'integer primary key autoincrement' : 'bigserial primary key';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('rollouts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('phase', 'text', (c) => c.notNull())
        .addColumn('author', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('state_json', 'text', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('updated_ms', 'bigint', (c) => c.notNull())
        .execute();
      await sql`create table rollout_events (seq ${sql.raw(autoId)}, rollout_id text not null references rollouts(id), at_ms bigint not null, event_json text not null)`.execute(db);
      await db.schema.createIndex('rollout_events_by_rollout').on('rollout_events').columns(['rollout_id', 'seq']).execute();
      await sql`create table audit_log (id ${sql.raw(autoId)}, at_ms bigint not null, actor text not null, action text not null, target text not null, reason text not null, diff_json text not null)`.execute(db);
      if (dialect === 'sqlite') {
        await sql`create trigger audit_log_no_update before update on audit_log begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
        await sql`create trigger audit_log_no_delete before delete on audit_log begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
        await sql`create trigger rollout_events_no_update before update on rollout_events begin select raise(abort, 'rollout_events is append-only'); end`.execute(db);
        await sql`create trigger rollout_events_no_delete before delete on rollout_events begin select raise(abort, 'rollout_events is append-only'); end`.execute(db);
      } else {
        await sql`create function failsmall_append_only() returns trigger language plpgsql as $$ begin raise exception '% is append-only', tg_table_name; end $$`.execute(db);
        await sql`create trigger audit_log_append_only before update or delete on audit_log for each row execute function failsmall_append_only()`.execute(db);
        await sql`create trigger rollout_events_append_only before update or delete on rollout_events for each row execute function failsmall_append_only()`.execute(db);
      }
      await db.schema
        .createTable('api_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('attacks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('attack_json', 'text', (c) => c.notNull())
        .addColumn('updated_ms', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
