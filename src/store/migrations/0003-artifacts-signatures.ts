// 0003: proposed changes (artifacts) and attack signatures; token revocation time; the
// append-only refusals name their code (store_append_only).
import { type Kysely, type Migration, sql } from 'kysely';

const APPEND_ONLY = ['audit_log', 'rollout_events', 'approvals'] as const;

export function migration0003(dialect: 'sqlite' | 'postgres'): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('artifacts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('author', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('artifact_json', 'text', (c) => c.notNull())
        .addColumn('findings_json', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('artifacts_by_kind').on('artifacts').columns(['kind', 'created_ms']).execute();
      await db.schema
        .createTable('signatures')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('attack_id', 'text', (c) => c.notNull())
        .addColumn('signature_json', 'text', (c) => c.notNull())
        .addColumn('updated_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('signatures_by_attack').on('signatures').columns(['attack_id', 'updated_ms']).execute();
      await db.schema.alterTable('api_tokens').addColumn('revoked_ms', 'bigint').execute();
      await db.schema.createIndex('audit_log_by_target').on('audit_log').columns(['target', 'id']).execute();
      if (dialect === 'sqlite') {
        for (const table of APPEND_ONLY) {
          for (const op of ['update', 'delete'] as const) {
            const name = `${table}_no_${op}`;
            await sql`drop trigger if exists ${sql.raw(name)}`.execute(db);
            await sql`create trigger ${sql.raw(name)} before ${sql.raw(op)} on ${sql.raw(table)} begin select raise(abort, ${sql.lit(`store_append_only: ${table} is append-only`)}); end`.execute(db);
          }
        }
      } else {
        await sql`create or replace function failsmall_append_only() returns trigger language plpgsql as $$ begin raise exception 'store_append_only: % is append-only', tg_table_name; end $$`.execute(db);
        // Row triggers do not see TRUNCATE; a statement trigger refuses it too.
        for (const table of APPEND_ONLY) {
          await sql`create trigger ${sql.raw(`${table}_no_truncate`)} before truncate on ${sql.raw(table)} for each statement execute function failsmall_append_only()`.execute(db);
        }
      }
    },
  };
}
