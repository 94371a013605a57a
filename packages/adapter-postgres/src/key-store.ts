import {
  GovgateError,
  isTenantId,
  revokeRefused,
  type ApiKeyRecord,
  type KeyStorePort,
  type Role,
  type TenantRecord,
  type TenantStorePort,
} from '@govgate/core';
import { and, asc, eq, isNull, sql as raw } from 'drizzle-orm';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type { Sql } from './connection.js';
import { UNAVAILABLE, UNIQUE_VIOLATION, guarded, sqlState } from './errors.js';
import { apiKeys, tenants } from './schema.js';

const ROLES: readonly string[] = ['admin', 'client', 'auditor'] satisfies readonly Role[];

/**
 * Tenants in Postgres. Creating an existing id is a CONFLICT.
 *
 * @example
 * const tenants = new PostgresTenantStore(sql);
 * await tenants.create({ id: 'acme', name: 'Acme Corp', createdAt: new Date().toISOString() });
 */
export class PostgresTenantStore implements TenantStorePort {
  private readonly db: PostgresJsDatabase;

  constructor(sql: Sql) {
    this.db = drizzle(sql);
  }

  create(record: TenantRecord): Promise<TenantRecord> {
    if (!isTenantId(record.id))
      return Promise.reject(
        new GovgateError('TENANT_INVALID', `'${String(record.id)}' is not a valid tenant id`),
      );
    return guarded(`could not create tenant '${record.id}'`, async () => {
      try {
        await this.db
          .insert(tenants)
          .values({ id: record.id, name: record.name, createdAt: record.createdAt });
      } catch (error) {
        if (sqlState(error) === UNIQUE_VIOLATION)
          throw new GovgateError('CONFLICT', `tenant '${record.id}' already exists`, {
            cause: error,
          });
        throw error;
      }
      return record;
    });
  }

  get(id: string): Promise<TenantRecord | undefined> {
    return guarded(`could not read tenant '${id}'`, async () => {
      const rows = await this.db.select().from(tenants).where(eq(tenants.id, id));
      return rows[0];
    });
  }

  list(): Promise<readonly TenantRecord[]> {
    return guarded('could not list tenants', () =>
      this.db
        .select()
        .from(tenants)
        .orderBy(raw`${tenants.id} collate "C"`),
    );
  }
}

type KeyRow = typeof apiKeys.$inferSelect;

function toRecord(row: KeyRow): ApiKeyRecord {
  if (!ROLES.includes(row.role))
    throw new GovgateError(UNAVAILABLE, `api_keys(${row.id}) has an unknown role '${row.role}'`);
  const optional = {
    ...(row.expiresAt === null ? {} : { expiresAt: row.expiresAt }),
    ...(row.revokedAt === null ? {} : { revokedAt: row.revokedAt }),
    ...(row.lastUsedAt === null ? {} : { lastUsedAt: row.lastUsedAt }),
    ...(row.rateLimitCapacity === null || row.rateLimitPerSeconds === null
      ? {}
      : { rateLimit: { capacity: row.rateLimitCapacity, perSeconds: row.rateLimitPerSeconds } }),
    ...(row.previousSecretHash === null ? {} : { previousSecretHash: row.previousSecretHash }),
    ...(row.previousValidUntil === null ? {} : { previousValidUntil: row.previousValidUntil }),
    ...(row.platform ? { platform: true } : {}),
  };
  return {
    id: row.id,
    tenant: row.tenant,
    role: row.role as Role,
    name: row.name,
    secretHash: row.secretHash,
    createdAt: row.createdAt,
    ...optional,
  };
}

/**
 * API keys in Postgres: the secret's hash only. `findById` is one primary-key read;
 * every other call is scoped by tenant, and a key of another tenant is KEY_INVALID,
 * as one that does not exist.
 *
 * @example
 * const keys = new PostgresKeyStore(sql);
 * const record = await keys.findById('k1a2b3c4d5e6f7g8');
 */
export class PostgresKeyStore implements KeyStorePort {
  private readonly db: PostgresJsDatabase;
  /** The authentication path runs once per request: built once, a prepared statement. */
  private readonly byId;

  constructor(sql: Sql) {
    this.db = drizzle(sql);
    this.byId = this.db
      .select()
      .from(apiKeys)
      .where(eq(apiKeys.id, raw.placeholder('id')))
      .prepare('govgate_key_by_id');
  }

  create(record: ApiKeyRecord): Promise<void> {
    return guarded(`could not create key '${record.id}'`, async () => {
      try {
        await this.db.insert(apiKeys).values({
          id: record.id,
          tenant: record.tenant,
          role: record.role,
          name: record.name,
          secretHash: record.secretHash,
          createdAt: record.createdAt,
          expiresAt: record.expiresAt ?? null,
          revokedAt: record.revokedAt ?? null,
          lastUsedAt: record.lastUsedAt ?? null,
          rateLimitCapacity: record.rateLimit?.capacity ?? null,
          rateLimitPerSeconds: record.rateLimit?.perSeconds ?? null,
          previousSecretHash: record.previousSecretHash ?? null,
          previousValidUntil: record.previousValidUntil ?? null,
          platform: record.platform === true,
        });
      } catch (error) {
        if (sqlState(error) === UNIQUE_VIOLATION)
          throw new GovgateError('CONFLICT', `key '${record.id}' already exists`, {
            cause: error,
          });
        throw error;
      }
    });
  }

  findById(id: string): Promise<ApiKeyRecord | undefined> {
    return guarded('could not look up a key', async () => {
      const rows = await this.byId.execute({ id });
      return rows[0] === undefined ? undefined : toRecord(rows[0]);
    });
  }

  list(tenant: string): Promise<readonly ApiKeyRecord[]> {
    return guarded('could not list keys', async () => {
      const rows = await this.db
        .select()
        .from(apiKeys)
        .where(eq(apiKeys.tenant, tenant))
        .orderBy(asc(apiKeys.createdAt), raw`${apiKeys.id} collate "C"`);
      return rows.map(toRecord);
    });
  }

  private async changed(tenant: string, id: string, rows: KeyRow[]): Promise<ApiKeyRecord> {
    const row = rows[0];
    if (row === undefined)
      return Promise.reject(
        new GovgateError('KEY_INVALID', `no key '${id}' for tenant '${tenant}'`),
      );
    return Promise.resolve(toRecord(row));
  }

  private mine(tenant: string, id: string) {
    return and(eq(apiKeys.id, id), eq(apiKeys.tenant, tenant));
  }

  rotate(
    tenant: string,
    id: string,
    secretHash: string,
    graceUntil: string,
  ): Promise<ApiKeyRecord> {
    return guarded(`could not rotate key '${id}'`, async () => {
      // In an UPDATE, the right-hand sides read the row as it was: the old hash.
      const rows = await this.db
        .update(apiKeys)
        .set({
          secretHash,
          previousSecretHash: raw`${apiKeys.secretHash}`,
          previousValidUntil: graceUntil,
        })
        .where(this.mine(tenant, id))
        .returning();
      return this.changed(tenant, id, rows);
    });
  }

  revoke(
    tenant: string,
    id: string,
    at: string,
    options: { readonly ifNotRevoked?: boolean } = {},
  ): Promise<ApiKeyRecord> {
    return guarded(`could not revoke key '${id}'`, async () => {
      if (options.ifNotRevoked !== true) {
        const rows = await this.db
          .update(apiKeys)
          .set({ revokedAt: raw`coalesce(${apiKeys.revokedAt}, ${at})` })
          .where(this.mine(tenant, id))
          .returning();
        return this.changed(tenant, id, rows);
      }
      // Compare and set in one UPDATE: a concurrent revocation makes it match no row.
      const rows = await this.db
        .update(apiKeys)
        .set({ revokedAt: at })
        .where(and(this.mine(tenant, id), isNull(apiKeys.revokedAt)))
        .returning();
      if (rows[0] !== undefined) return toRecord(rows[0]);
      const exists = await this.db
        .select({ id: apiKeys.id })
        .from(apiKeys)
        .where(this.mine(tenant, id));
      throw revokeRefused(tenant, id, exists.length > 0);
    });
  }

  touch(tenant: string, id: string, at: string): Promise<void> {
    return guarded(`could not record the use of key '${id}'`, async () => {
      await this.db.update(apiKeys).set({ lastUsedAt: at }).where(this.mine(tenant, id));
    });
  }
}
