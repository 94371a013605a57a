import {
  GovgateError,
  activeChanged,
  documentVersionFromRow,
  versionExists,
  type DocumentKind,
  type DocumentVersion,
  type PolicySummary,
  type SaveVersionOptions,
  type VersionRef,
} from '@govgate/core';
import { and, asc, eq, getTableName, max } from 'drizzle-orm';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type { Sql } from './connection.js';
import { UNAVAILABLE, guarded, sqlState } from './errors.js';
import type { activePolicies, policyVersions } from './schema.js';

/** The version and active tables of one kind of document (policies, profiles). */
export interface VersionTables {
  readonly versions: typeof policyVersions;
  readonly active: typeof activePolicies;
}

type Row = typeof policyVersions.$inferSelect;

/**
 * Immutable document versions and each tenant's active one, in Postgres: a second save
 * of (id, version) returns the stored record when the digest matches and is a CONFLICT
 * otherwise; activating a version never saved is the kind's not-found error (the
 * foreign key of the active table).
 */
export class PostgresVersionStore<D> {
  private readonly db: PostgresJsDatabase;

  constructor(
    sql: Sql,
    private readonly tables: VersionTables,
    private readonly kind: DocumentKind,
  ) {
    this.db = drizzle(sql);
  }

  private toRecord(row: Row): DocumentVersion<D> {
    return documentVersionFromRow<D>(row, getTableName(this.tables.versions));
  }

  private byKey(tenant: string, id: string, version: number) {
    const { versions } = this.tables;
    return and(
      eq(versions.tenant, tenant),
      eq(versions.documentId, id),
      eq(versions.version, version),
    );
  }

  saveVersion(
    record: DocumentVersion<D>,
    options: SaveVersionOptions = {},
  ): Promise<DocumentVersion<D>> {
    const { noun } = this.kind;
    const { versions } = this.tables;
    return guarded(`could not save ${noun} '${record.id}' version ${record.version}`, async () => {
      const inserted = await this.db
        .insert(versions)
        .values({
          tenant: record.tenant,
          documentId: record.id,
          version: record.version,
          digest: record.digest,
          document: JSON.stringify(record.document),
          createdAt: record.createdAt,
          createdBy: record.createdBy,
        })
        .onConflictDoNothing()
        .returning();
      if (inserted[0] === undefined && options.ifAbsent === true)
        throw versionExists(this.kind, record.id, record.version);
      const row =
        inserted[0] ??
        (
          await this.db
            .select()
            .from(versions)
            .where(this.byKey(record.tenant, record.id, record.version))
        )[0];
      if (row === undefined)
        throw new GovgateError(UNAVAILABLE, `the ${noun} version vanished while being saved`);
      if (row.digest !== record.digest)
        throw new GovgateError(
          'CONFLICT',
          `${noun} '${record.id}' version ${record.version} already exists with other content`,
        );
      return this.toRecord(row);
    });
  }

  getVersion(tenant: string, id: string, version: number): Promise<DocumentVersion<D> | undefined> {
    return guarded(`could not read ${this.kind.noun} '${id}' version ${version}`, async () => {
      const rows = await this.db
        .select()
        .from(this.tables.versions)
        .where(this.byKey(tenant, id, version));
      return rows[0] === undefined ? undefined : this.toRecord(rows[0]);
    });
  }

  listVersions(tenant: string, id: string): Promise<readonly DocumentVersion<D>[]> {
    const { versions } = this.tables;
    return guarded(`could not list the versions of ${this.kind.noun} '${id}'`, async () => {
      const rows = await this.db
        .select()
        .from(versions)
        .where(and(eq(versions.tenant, tenant), eq(versions.documentId, id)))
        .orderBy(asc(versions.version));
      return rows.map((row) => this.toRecord(row));
    });
  }

  /** Every document id of the tenant with its latest and (if any) active version. */
  protected summaries(tenant: string): Promise<readonly PolicySummary[]> {
    const { versions, active } = this.tables;
    return guarded(`could not list the ${this.kind.noun} documents`, async () => {
      const latest = await this.db
        .select({ id: versions.documentId, latestVersion: max(versions.version) })
        .from(versions)
        .where(eq(versions.tenant, tenant))
        .groupBy(versions.documentId);
      const current = (await this.db.select().from(active).where(eq(active.tenant, tenant)))[0];
      return latest
        .map(({ id, latestVersion }): PolicySummary => {
          const summary = { id, latestVersion: latestVersion ?? 0 };
          return current?.documentId === id
            ? { ...summary, activeVersion: current.version }
            : summary;
        })
        .sort((a, b) => a.id.localeCompare(b.id));
    });
  }

  activate(
    tenant: string,
    id: string,
    version: number,
    expected?: VersionRef | null,
  ): Promise<void> {
    const { noun, notFound } = this.kind;
    const { active } = this.tables;
    return guarded(`could not activate ${noun} '${id}' version ${version}`, async () => {
      let changed: readonly unknown[];
      try {
        if (expected === undefined) {
          await this.db
            .insert(active)
            .values({ tenant, documentId: id, version })
            .onConflictDoUpdate({ target: active.tenant, set: { documentId: id, version } });
          return;
        }
        // Compare and set in one statement: an INSERT when none was active (a concurrent
        // one makes it do nothing), else an UPDATE of the row while it still holds the
        // expected version (a concurrent UPDATE makes it match no row).
        changed =
          expected === null
            ? await this.db
                .insert(active)
                .values({ tenant, documentId: id, version })
                .onConflictDoNothing()
                .returning({ tenant: active.tenant })
            : await this.db
                .update(active)
                .set({ documentId: id, version })
                .where(
                  and(
                    eq(active.tenant, tenant),
                    eq(active.documentId, expected.id),
                    eq(active.version, expected.version),
                  ),
                )
                .returning({ tenant: active.tenant });
      } catch (error) {
        // The foreign key to the versions table: that version was never saved.
        if (sqlState(error) === '23503')
          throw new GovgateError(notFound, `${noun} '${id}' version ${version} does not exist`, {
            cause: error,
          });
        throw error;
      }
      if (changed.length > 0) return;
      // Nothing matched, so no foreign key was checked: say which of the two it is.
      if ((await this.getVersion(tenant, id, version)) === undefined)
        throw new GovgateError(notFound, `${noun} '${id}' version ${version} does not exist`);
      throw activeChanged(this.kind, tenant, expected);
    });
  }

  deactivate(tenant: string): Promise<void> {
    const { active } = this.tables;
    return guarded(`could not deactivate the ${this.kind.noun}`, async () => {
      await this.db.delete(active).where(eq(active.tenant, tenant));
    });
  }

  getActive(tenant: string): Promise<DocumentVersion<D> | undefined> {
    const { versions, active } = this.tables;
    return guarded(`could not read the active ${this.kind.noun}`, async () => {
      const rows = await this.db
        .select({ version: versions })
        .from(active)
        .innerJoin(
          versions,
          and(
            eq(versions.tenant, active.tenant),
            eq(versions.documentId, active.documentId),
            eq(versions.version, active.version),
          ),
        )
        .where(eq(active.tenant, tenant));
      return rows[0] === undefined ? undefined : this.toRecord(rows[0].version);
    });
  }
}
