import {
  GovgateError,
  isTenantId,
  revokeRefused,
  type ApiKeyRecord,
  type KeyStorePort,
  type TenantRecord,
  type TenantStorePort,
} from '@govgate/core';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core';
import { guarded, type SqliteDatabase } from './database.js';
import { apiKeys, tenants } from './schema.js';

type KeyRow = typeof apiKeys.$inferSelect;

function toKey(row: KeyRow): ApiKeyRecord {
  const record: { -readonly [K in keyof ApiKeyRecord]: ApiKeyRecord[K] } = {
    id: row.id,
    tenant: row.tenant,
    role: row.role,
    name: row.name,
    secretHash: row.secretHash,
    createdAt: row.createdAt,
  };
  if (row.expiresAt !== null) record.expiresAt = row.expiresAt;
  if (row.revokedAt !== null) record.revokedAt = row.revokedAt;
  if (row.lastUsedAt !== null) record.lastUsedAt = row.lastUsedAt;
  if (row.rateCapacity !== null && row.ratePerSeconds !== null)
    record.rateLimit = { capacity: row.rateCapacity, perSeconds: row.ratePerSeconds };
  if (row.previousSecretHash !== null) record.previousSecretHash = row.previousSecretHash;
  if (row.previousValidUntil !== null) record.previousValidUntil = row.previousValidUntil;
  if (row.platform) record.platform = true;
  return record;
}

/**
 * Tenants in SQLite. Creating an existing id is a CONFLICT; an id that is not a valid
 * tenant id is TENANT_INVALID.
 *
 * @example
 * const tenants = new SqliteTenantStore(db);
 * await tenants.create({ id: 'acme', name: 'Acme Corp', createdAt: new Date().toISOString() });
 */
export class SqliteTenantStore implements TenantStorePort {
  constructor(private readonly db: SqliteDatabase) {}

  create(record: TenantRecord): Promise<TenantRecord> {
    if (!isTenantId(record.id))
      return Promise.reject(
        new GovgateError('TENANT_INVALID', `'${String(record.id)}' is not a valid tenant id`),
      );
    return guarded(`create tenant '${record.id}'`, () => {
      const { changes } = this.db.orm
        .insert(tenants)
        .values({ id: record.id, name: record.name, createdAt: record.createdAt })
        .onConflictDoNothing()
        .run();
      if (changes === 0) throw new GovgateError('CONFLICT', `tenant '${record.id}' already exists`);
      return { id: record.id, name: record.name, createdAt: record.createdAt };
    });
  }

  get(id: string): Promise<TenantRecord | undefined> {
    return guarded(`read tenant '${id}'`, () =>
      this.db.orm.select().from(tenants).where(eq(tenants.id, id)).get(),
    );
  }

  list(): Promise<readonly TenantRecord[]> {
    return guarded('list tenants', () =>
      this.db.orm.select().from(tenants).orderBy(asc(tenants.id)).all(),
    );
  }
}

/**
 * API keys in SQLite: the secret only as its hash; `findById` is one primary-key
 * read; every other call is scoped by tenant, and a key of another tenant is
 * KEY_INVALID as if it did not exist.
 *
 * @example
 * const keys = new SqliteKeyStore(db);
 * await keys.create({ id, tenant: 'acme', role: 'client', name: 'ci', secretHash, createdAt });
 * const record = await keys.findById(id);
 */
export class SqliteKeyStore implements KeyStorePort {
  private byId: ReturnType<SqliteKeyStore['prepareById']> | undefined;

  constructor(private readonly db: SqliteDatabase) {}

  private prepareById() {
    return this.db.orm
      .select()
      .from(apiKeys)
      .where(eq(apiKeys.id, sql.placeholder('id')))
      .prepare();
  }

  create(record: ApiKeyRecord): Promise<void> {
    return guarded(`create key '${record.id}'`, () => {
      const { changes } = this.db.orm
        .insert(apiKeys)
        .values({
          id: record.id,
          tenant: record.tenant,
          role: record.role,
          name: record.name,
          secretHash: record.secretHash,
          createdAt: record.createdAt,
          expiresAt: record.expiresAt ?? null,
          revokedAt: record.revokedAt ?? null,
          lastUsedAt: record.lastUsedAt ?? null,
          rateCapacity: record.rateLimit?.capacity ?? null,
          ratePerSeconds: record.rateLimit?.perSeconds ?? null,
          previousSecretHash: record.previousSecretHash ?? null,
          previousValidUntil: record.previousValidUntil ?? null,
          platform: record.platform === true,
        })
        .onConflictDoNothing()
        .run();
      if (changes === 0) throw new GovgateError('CONFLICT', `key '${record.id}' already exists`);
    });
  }

  findById(id: string): Promise<ApiKeyRecord | undefined> {
    return guarded('look up a key', () => {
      // The hot path of every request: prepared once (on first use, so that a database
      // without migrations fails here with a clear error rather than at construction).
      this.byId ??= this.prepareById();
      const row = this.byId.get({ id });
      return row === undefined ? undefined : toKey(row);
    });
  }

  list(tenant: string): Promise<readonly ApiKeyRecord[]> {
    return guarded('list keys', () =>
      this.db.orm
        .select()
        .from(apiKeys)
        .where(eq(apiKeys.tenant, tenant))
        .orderBy(asc(apiKeys.id))
        .all()
        .map(toKey),
    );
  }

  private update(
    tenant: string,
    id: string,
    set: SQLiteUpdateSetSource<typeof apiKeys>,
  ): ApiKeyRecord {
    const row = this.db.orm
      .update(apiKeys)
      .set(set)
      .where(and(eq(apiKeys.id, id), eq(apiKeys.tenant, tenant)))
      .returning()
      .get();
    if (row === undefined)
      throw new GovgateError('KEY_INVALID', `no key '${id}' for tenant '${tenant}'`);
    return toKey(row);
  }

  rotate(
    tenant: string,
    id: string,
    secretHash: string,
    graceUntil: string,
  ): Promise<ApiKeyRecord> {
    return guarded(`rotate key '${id}'`, () =>
      // In an UPDATE every right-hand side sees the row as it was: the old hash moves.
      this.update(tenant, id, {
        secretHash,
        previousSecretHash: sql`${apiKeys.secretHash}`,
        previousValidUntil: graceUntil,
      }),
    );
  }

  revoke(
    tenant: string,
    id: string,
    at: string,
    options: { readonly ifNotRevoked?: boolean } = {},
  ): Promise<ApiKeyRecord> {
    return guarded(`revoke key '${id}'`, () => {
      if (options.ifNotRevoked !== true)
        return this.update(tenant, id, { revokedAt: sql`coalesce(${apiKeys.revokedAt}, ${at})` });
      // Compare and set in one statement: only a key not yet revoked changes.
      const row = this.db.orm
        .update(apiKeys)
        .set({ revokedAt: at })
        .where(and(eq(apiKeys.id, id), eq(apiKeys.tenant, tenant), isNull(apiKeys.revokedAt)))
        .returning()
        .get();
      if (row !== undefined) return toKey(row);
      const exists = this.db.orm
        .select({ id: apiKeys.id })
        .from(apiKeys)
        .where(and(eq(apiKeys.id, id), eq(apiKeys.tenant, tenant)))
        .get();
      throw revokeRefused(tenant, id, exists !== undefined);
    });
  }

  touch(tenant: string, id: string, at: string): Promise<void> {
    return guarded(`record the use of key '${id}'`, () => {
      this.db.orm
        .update(apiKeys)
        .set({ lastUsedAt: at })
        .where(and(eq(apiKeys.id, id), eq(apiKeys.tenant, tenant)))
        .run();
    });
  }
}
