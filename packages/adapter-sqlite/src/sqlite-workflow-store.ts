import {
  GovgateError,
  WORKFLOW_STATES,
  type WorkflowRecord,
  type WorkflowState,
  type WorkflowStorePort,
} from '@govgate/core';
import { and, asc, eq, sql } from 'drizzle-orm';
import { STORE_UNAVAILABLE, guarded, type SqliteDatabase } from './database.js';
import { workflows } from './schema.js';

type WorkflowRow = typeof workflows.$inferSelect;

const STATES: readonly string[] = WORKFLOW_STATES;

function toRecord(row: WorkflowRow): WorkflowRecord {
  // The column is plain text: a state this code does not know is a damaged row.
  if (!STATES.includes(row.state))
    throw new GovgateError(
      STORE_UNAVAILABLE,
      `workflows(${row.tenant}, ${row.id}) has an unknown state '${row.state}'`,
    );
  return {
    tenant: row.tenant,
    id: row.id,
    regulation: row.regulation,
    title: row.title,
    state: row.state as WorkflowState,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    updatedAt: row.updatedAt,
  };
}

/**
 * Assessment workflows in SQLite. `transition` is one compare-and-set UPDATE: it moves
 * the workflow only if it is still in `from`, and is a CONFLICT otherwise.
 *
 * @example
 * const workflows = new SqliteWorkflowStore(db);
 * await workflows.create({ tenant: 'acme', id: 'wf_1', regulation: 'eu-ai-act', title: 'Q3', state: 'draft', createdAt: now, createdBy: 'alice', updatedAt: now });
 * await workflows.transition('acme', 'wf_1', 'draft', 'in_progress', later);
 */
export class SqliteWorkflowStore implements WorkflowStorePort {
  constructor(private readonly db: SqliteDatabase) {}

  private find(tenant: string, id: string): WorkflowRow | undefined {
    return this.db.orm
      .select()
      .from(workflows)
      .where(and(eq(workflows.tenant, tenant), eq(workflows.id, id)))
      .get();
  }

  create(record: WorkflowRecord): Promise<WorkflowRecord> {
    return guarded(`create workflow '${record.id}'`, () => {
      // The next creation number is read and used in the same statement: SQLite has
      // one writer at a time, so two creations never get the same number.
      const inserted = this.db.orm
        .insert(workflows)
        .values({
          tenant: record.tenant,
          id: record.id,
          createdSeq: sql`(select coalesce(max(${workflows.createdSeq}), 0) + 1 from ${workflows} where ${workflows.tenant} = ${record.tenant})`,
          regulation: record.regulation,
          title: record.title,
          state: record.state,
          createdAt: record.createdAt,
          createdBy: record.createdBy,
          updatedAt: record.updatedAt,
        })
        .onConflictDoNothing()
        .run();
      if (inserted.changes === 0)
        throw new GovgateError('CONFLICT', `workflow '${record.id}' already exists`);
      return record;
    });
  }

  get(tenant: string, id: string): Promise<WorkflowRecord | undefined> {
    return guarded(`read workflow '${id}'`, () => {
      const row = this.find(tenant, id);
      return row === undefined ? undefined : toRecord(row);
    });
  }

  list(
    tenant: string,
    query: { readonly regulation?: string } = {},
  ): Promise<readonly WorkflowRecord[]> {
    return guarded('list workflows', () =>
      this.db.orm
        .select()
        .from(workflows)
        .where(
          query.regulation === undefined
            ? eq(workflows.tenant, tenant)
            : and(eq(workflows.tenant, tenant), eq(workflows.regulation, query.regulation)),
        )
        .orderBy(asc(workflows.createdSeq))
        .all()
        .map(toRecord),
    );
  }

  transition(
    tenant: string,
    id: string,
    from: WorkflowState,
    to: WorkflowState,
    at: string,
  ): Promise<WorkflowRecord> {
    return guarded(`move workflow '${id}' from ${from} to ${to}`, () => {
      const row = this.db.orm
        .update(workflows)
        .set({ state: to, updatedAt: at })
        .where(and(eq(workflows.tenant, tenant), eq(workflows.id, id), eq(workflows.state, from)))
        .returning()
        .get();
      if (row !== undefined) return toRecord(row);
      const current = this.find(tenant, id);
      throw new GovgateError(
        'CONFLICT',
        current === undefined
          ? `no workflow '${id}' for tenant '${tenant}'`
          : `workflow '${id}' is ${current.state}, not ${from}`,
      );
    });
  }
}
