// 0002: approvals of wide-scope rollouts, one row per approval (who, when, why), append-only.
import { type Kysely, type Migration, sql } from 'kysely';

export function migration0002(dialect: 'sqlite' | 'postgres'): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('approvals')
        .addColumn('rollout_id', 'text', (c) => c.notNull().references('rollouts.id'))
        .addColumn('approver', 'text', (c) => c.notNull())
        .addColumn('at_ms', 'bigint', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('approvals_pk', ['rollout_id', 'approver'])
        .execute();
      if (dialect === 'sqlite') {
        await sql`create trigger approvals_no_update before update on approvals begin select raise(abort, 'approvals is append-only'); end`.execute(db);
        await sql`create trigger approvals_no_delete before delete on approvals begin select raise(abort, 'approvals is append-only'); end`.execute(db);
      } else {
        // failsmall_append_only() comes from 0001.
        await sql`create trigger approvals_append_only before update or delete on approvals for each row execute function failsmall_append_only()`.execute(db);
      }
    },
  };
}
