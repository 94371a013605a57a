import {
  GovgateError,
  activeChanged,
  documentVersionFromRow,
  isExpectedActive,
  versionExists,
  type DocumentKind,
  type DocumentVersion,
  type PolicySummary,
  type SaveVersionOptions,
  type VersionRef,
} from '@govgate/core';
import { and, asc, eq, getTableName, max, sql } from 'drizzle-orm';
import { guarded, type SqliteDatabase } from './database.js';
import type { activePolicies, policyVersions } from './schema.js';

/** The version and active tables of one kind of document (policies, profiles). */
export interface VersionTables {
  readonly versions: typeof policyVersions;
  readonly active: typeof activePolicies;
}

type VersionRow = typeof policyVersions.$inferSelect;

/**
 * Immutable document versions and each tenant's active version in SQLite: saving an
 * existing (id, version) with other content is a CONFLICT, activating a version never
 * saved is the kind's not-found error. The active version is read with one prepared
 * statement and parsed once per version (the hot path of every check).
 */
export class SqliteVersionStore<D> {
  private activeQuery: ReturnType<SqliteVersionStore<D>['prepareActive']> | undefined;
  /** Versions never change: parsed records are kept by (tenant, id, version, digest). */
  private readonly records = new Map<string, DocumentVersion<D>>();

  constructor(
    protected readonly db: SqliteDatabase,
    private readonly tables: VersionTables,
    private readonly kind: DocumentKind,
  ) {}

  private toRecord(row: VersionRow): DocumentVersion<D> {
    return documentVersionFromRow<D>(row, getTableName(this.tables.versions));
  }

  private prepareActive() {
    const { versions, active } = this.tables;
    return this.db.orm
      .select({
        documentId: active.documentId,
        version: active.version,
        digest: versions.digest,
      })
      .from(active)
      .innerJoin(
        versions,
        and(
          eq(versions.tenant, active.tenant),
          eq(versions.documentId, active.documentId),
          eq(versions.version, active.version),
        ),
      )
      .where(eq(active.tenant, sql.placeholder('tenant')))
      .prepare();
  }

  private find(tenant: string, id: string, version: number): VersionRow | undefined {
    const { versions } = this.tables;
    return this.db.orm
      .select()
      .from(versions)
      .where(
        and(
          eq(versions.tenant, tenant),
          eq(versions.documentId, id),
          eq(versions.version, version),
        ),
      )
      .get();
  }

  saveVersion(
    record: DocumentVersion<D>,
    options: SaveVersionOptions = {},
  ): Promise<DocumentVersion<D>> {
    const { noun } = this.kind;
    return guarded(`save ${noun} '${record.id}' version ${record.version}`, () =>
      this.db.orm.transaction(
        (tx) => {
          const inserted = tx
            .insert(this.tables.versions)
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
            .run();
          if (inserted.changes === 0 && options.ifAbsent === true)
            throw versionExists(this.kind, record.id, record.version);
          const stored = this.find(record.tenant, record.id, record.version);
          if (stored === undefined)
            throw new GovgateError('CONFLICT', `${noun} '${record.id}' could not be saved`);
          if (inserted.changes === 0 && stored.digest !== record.digest)
            throw new GovgateError(
              'CONFLICT',
              `${noun} '${record.id}' version ${record.version} already exists with other content`,
            );
          return this.toRecord(stored);
        },
        { behavior: 'immediate' },
      ),
    );
  }

  getVersion(tenant: string, id: string, version: number): Promise<DocumentVersion<D> | undefined> {
    return guarded(`read ${this.kind.noun} '${id}' version ${version}`, () => {
      const row = this.find(tenant, id, version);
      return row === undefined ? undefined : this.toRecord(row);
    });
  }

  listVersions(tenant: string, id: string): Promise<readonly DocumentVersion<D>[]> {
    const { versions } = this.tables;
    return guarded(`list the versions of ${this.kind.noun} '${id}'`, () =>
      this.db.orm
        .select()
        .from(versions)
        .where(and(eq(versions.tenant, tenant), eq(versions.documentId, id)))
        .orderBy(asc(versions.version))
        .all()
        .map((row) => this.toRecord(row)),
    );
  }

  /** Every document id of the tenant with its latest and (if any) active version. */
  protected summaries(tenant: string): Promise<readonly PolicySummary[]> {
    const { versions, active } = this.tables;
    return guarded(`list the ${this.kind.noun} documents`, () => {
      const latest = this.db.orm
        .select({ id: versions.documentId, latestVersion: max(versions.version) })
        .from(versions)
        .where(eq(versions.tenant, tenant))
        .groupBy(versions.documentId)
        .all();
      const current = this.db.orm
        .select({ documentId: active.documentId, version: active.version })
        .from(active)
        .where(eq(active.tenant, tenant))
        .get();
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
    return guarded(`activate ${noun} '${id}' version ${version}`, () => {
      this.db.orm.transaction(
        (tx) => {
          if (this.find(tenant, id, version) === undefined)
            throw new GovgateError(notFound, `${noun} '${id}' version ${version} does not exist`);
          // Compare and set in one immediate transaction: no other writer comes between.
          if (expected !== undefined) {
            const current = tx
              .select({ id: active.documentId, version: active.version })
              .from(active)
              .where(eq(active.tenant, tenant))
              .get();
            if (!isExpectedActive(current, expected))
              throw activeChanged(this.kind, tenant, expected);
          }
          tx.insert(active)
            .values({ tenant, documentId: id, version })
            .onConflictDoUpdate({ target: active.tenant, set: { documentId: id, version } })
            .run();
        },
        { behavior: 'immediate' },
      );
    });
  }

  deactivate(tenant: string): Promise<void> {
    const { active } = this.tables;
    return guarded(`deactivate the active ${this.kind.noun}`, () => {
      this.db.orm.delete(active).where(eq(active.tenant, tenant)).run();
    });
  }

  getActive(tenant: string): Promise<DocumentVersion<D> | undefined> {
    return guarded(`read the active ${this.kind.noun}`, () => {
      // Prepared on first use, so a database without migrations fails here with a
      // clear error rather than at construction.
      this.activeQuery ??= this.prepareActive();
      const current = this.activeQuery.get({ tenant });
      if (current === undefined) return undefined;
      const key = `${tenant}\u0000${current.documentId}\u0000${current.version}\u0000${current.digest}`;
      const cached = this.records.get(key);
      if (cached !== undefined) return cached;
      const row = this.find(tenant, current.documentId, current.version);
      if (row === undefined) return undefined;
      const record = this.toRecord(row);
      if (this.records.size >= 1024) this.records.clear();
      this.records.set(key, record);
      return record;
    });
  }
}
