import {
  GovgateError,
  WORKFLOW_STATES,
  type WorkflowRecord,
  type WorkflowState,
  type WorkflowStorePort,
} from '@govgate/core';
import { and, asc, eq } from 'drizzle-orm';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type { Sql } from './connection.js';
import { UNAVAILABLE, guarded } from './errors.js';
import { workflows } from './schema.js';

type Row = typeof workflows.$inferSelect;

const STATES: readonly string[] = WORKFLOW_STATES;

function toRecord(row: Row): WorkflowRecord {
  // The column is plain text: a state this code does not know is a damaged row.
  if (!STATES.includes(row.state))
    throw new GovgateError(
      UNAVAILABLE,
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
 * Assessment workflows in Postgres, listed in creation order (an identity column).
 * `transition` is one compare-and-set UPDATE: it moves the workflow only if it is
 * still in `from`, and is a CONFLICT otherwise, so of concurrent transitions one wins.
 *
 * @example
 * const workflows = new PostgresWorkflowStore(sql);
 * await workflows.create({ tenant: 'acme', id: 'wf_1', regulation: 'eu-ai-act', title: 'Q3', state: 'draft', createdAt: now, createdBy: 'alice', updatedAt: now });
 * await workflows.transition('acme', 'wf_1', 'draft', 'in_progress', later);
 */
export class PostgresWorkflowStore implements WorkflowStorePort {
  private readonly db: PostgresJsDatabase;

  constructor(sql: Sql) {
    this.db = drizzle(sql);
  }

  private byKey(tenant: string, id: string) {
    return and(eq(workflows.tenant, tenant), eq(workflows.id, id));
  }

  create(record: WorkflowRecord): Promise<WorkflowRecord> {
    return guarded(`could not create workflow '${record.id}'`, async () => {
      const inserted = await this.db
        .insert(workflows)
        .values({
          tenant: record.tenant,
          id: record.id,
          regulation: record.regulation,
          title: record.title,
          state: record.state,
          createdAt: record.createdAt,
          createdBy: record.createdBy,
          updatedAt: record.updatedAt,
        })
        .onConflictDoNothing()
        .returning({ id: workflows.id });
      if (inserted.length === 0)
        throw new GovgateError('CONFLICT', `workflow '${record.id}' already exists`);
      return record;
    });
  }

  get(tenant: string, id: string): Promise<WorkflowRecord | undefined> {
    return guarded(`could not read workflow '${id}'`, async () => {
      const rows = await this.db.select().from(workflows).where(this.byKey(tenant, id));
      return rows[0] === undefined ? undefined : toRecord(rows[0]);
    });
  }

  list(
    tenant: string,
    query: { readonly regulation?: string } = {},
  ): Promise<readonly WorkflowRecord[]> {
    return guarded('could not list workflows', async () => {
      const rows = await this.db
        .select()
        .from(workflows)
        .where(
          query.regulation === undefined
            ? eq(workflows.tenant, tenant)
            : and(eq(workflows.tenant, tenant), eq(workflows.regulation, query.regulation)),
        )
        .orderBy(asc(workflows.createdSeq));
      return rows.map(toRecord);
    });
  }

  transition(
    tenant: string,
    id: string,
    from: WorkflowState,
    to: WorkflowState,
    at: string,
  ): Promise<WorkflowRecord> {
    return guarded(`could not move workflow '${id}' from ${from} to ${to}`, async () => {
      const rows = await this.db
        .update(workflows)
        .set({ state: to, updatedAt: at })
        .where(and(this.byKey(tenant, id), eq(workflows.state, from)))
        .returning();
      if (rows[0] !== undefined) return toRecord(rows[0]);
      const current = (
        await this.db
          .select({ state: workflows.state })
          .from(workflows)
          .where(this.byKey(tenant, id))
      )[0];
      throw new GovgateError(
        'CONFLICT',
        current === undefined
          ? `no workflow '${id}' for tenant '${tenant}'`
          : `workflow '${id}' is ${current.state}, not ${from}`,
      );
    });
  }
}
