import { GovgateError } from '../errors.js';
import type { AppendRequest } from '../ledger/entry.js';
import { recordedChange } from '../ledger/recorded-change.js';
import type {
  ApiKeyRecord,
  ClockPort,
  KeyStorePort,
  LedgerPort,
  RateLimitSpec,
  Role,
  TenantStorePort,
} from '../ports.js';
import { serialized } from '../serialized.js';
import { generateApiKey } from './api-key.js';

/** What a new key is for; its id and secret are generated. */
export interface NewKey {
  readonly tenant: string;
  readonly role: Role;
  readonly name: string;
  readonly rateLimit?: RateLimitSpec;
  readonly expiresAt?: string;
  /** The platform permission (manage tenants); admin keys only. */
  readonly platform?: boolean;
}

/** A key as handed out: the full text (shown once) and the stored record. */
export interface IssuedKey {
  readonly key: string;
  readonly record: ApiKeyRecord;
}

export interface KeyAdminDeps {
  readonly keys: KeyStorePort;
  readonly tenants: Pick<TenantStorePort, 'get'>;
  /**
   * Where the `key.*` entries go: the key's tenant's chain. Left out only where no
   * ledger writer can be had (the CLI while a running service holds the file ledger):
   * changes are then made without being recorded.
   */
  readonly ledger?: Pick<LedgerPort, 'append'>;
  readonly clock: ClockPort;
}

/** What a ledger entry says of a key: never its secret or the secret's hash. */
function keyFacts(record: ApiKeyRecord): Record<string, string | number | boolean> {
  return {
    id: record.id,
    name: record.name,
    role: record.role,
    ...(record.platform === true ? { platform: true } : {}),
    ...(record.expiresAt === undefined ? {} : { expiresAt: record.expiresAt }),
    ...(record.rateLimit === undefined
      ? {}
      : { rateLimit: `${record.rateLimit.capacity}/${record.rateLimit.perSeconds}s` }),
  };
}

/**
 * Issues, rotates and revokes API keys, recording each change in the key's tenant's
 * ledger as `key.created`, `key.rotated` or `key.revoked` (actor: who asked; subject:
 * the key id; never a secret or its hash). The entry is written first: if the ledger
 * cannot take it, nothing changes and LEDGER_UNAVAILABLE is thrown; if the store then
 * fails, an `audit.correction` entry says the change did not take effect (best effort:
 * the store's error is thrown either way). So the ledger never lacks a change that
 * happened, and a change it names that did not happen is corrected in the chain.
 *
 * @example
 * const admin = new KeyAdmin({ keys, tenants, ledger, clock });
 * const { key } = await admin.create({ tenant: 'acme', role: 'client', name: 'ci' }, 'key_admin1');
 */
export class KeyAdmin {
  constructor(private readonly deps: KeyAdminDeps) {}

  private now(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }

  private recorded<T>(tenant: string, entry: AppendRequest, change: () => Promise<T>): Promise<T> {
    const ledger = this.deps.ledger;
    return ledger === undefined ? change() : recordedChange(ledger, tenant, entry, change);
  }

  /**
   * Creates a key for an existing tenant.
   *
   * @throws GovgateError TENANT_INVALID (no such tenant), KEY_INVALID (platform on a
   *   non-admin key), LEDGER_UNAVAILABLE.
   */
  async create(input: NewKey, actor: string): Promise<IssuedKey> {
    if ((await this.deps.tenants.get(input.tenant)) === undefined)
      throw new GovgateError('TENANT_INVALID', `no tenant '${input.tenant}'`, {
        details: [{ pointer: '/tenant', message: 'must name an existing tenant' }],
      });
    if (input.platform === true && input.role !== 'admin')
      throw new GovgateError('KEY_INVALID', 'only an admin key may hold the platform permission');
    const { key, id, secretHash } = generateApiKey();
    const record: ApiKeyRecord = {
      id,
      tenant: input.tenant,
      role: input.role,
      name: input.name,
      secretHash,
      createdAt: this.now(),
      ...(input.rateLimit === undefined ? {} : { rateLimit: input.rateLimit }),
      ...(input.expiresAt === undefined ? {} : { expiresAt: input.expiresAt }),
      ...(input.platform === true ? { platform: true } : {}),
    };
    await this.recorded(
      record.tenant,
      { type: 'key.created', actor, subject: id, data: { key: keyFacts(record) } },
      () => this.deps.keys.create(record),
    );
    return { key, record };
  }

  /**
   * Gives a key a new secret; the old one stays valid for `graceSeconds`. The id stays
   * (records, usage and rate limits refer to it).
   *
   * @throws GovgateError CONFLICT (the key is revoked), LEDGER_UNAVAILABLE.
   */
  async rotate(record: ApiKeyRecord, graceSeconds: number, actor: string): Promise<IssuedKey> {
    if (record.revokedAt !== undefined)
      throw new GovgateError('CONFLICT', `key '${record.id}' is revoked and cannot be rotated`);
    const fresh = generateApiKey();
    const key = `ggk_${record.id}_${fresh.key.slice(`ggk_${fresh.id}_`.length)}`;
    const previousValidUntil = new Date(this.deps.clock.now() + graceSeconds * 1000).toISOString();
    const rotated = await this.recorded(
      record.tenant,
      {
        type: 'key.rotated',
        actor,
        subject: record.id,
        data: { key: { id: record.id }, previousValidUntil },
      },
      () => this.deps.keys.rotate(record.tenant, record.id, fresh.secretHash, previousValidUntil),
    );
    return { key, record: rotated };
  }

  /**
   * Revokes a key at once (the record stays). Revoking a revoked key changes and
   * records nothing: it answers the key as it is, with the first revocation time.
   * Revocations of one key through one store run one at a time in this process; the
   * store's compare-and-set lets one of several processes revoke it, and a loser's
   * `key.revoked` entry gets an `audit.correction` (it still answers the revoked key).
   *
   * @throws GovgateError KEY_INVALID (no such key of the tenant), LEDGER_UNAVAILABLE.
   */
  revoke(record: ApiKeyRecord, actor: string): Promise<ApiKeyRecord> {
    const { tenant, id } = record;
    const { keys } = this.deps;
    const current = async (): Promise<ApiKeyRecord> => {
      const found = await keys.findById(id);
      if (found === undefined || found.tenant !== tenant)
        throw new GovgateError('KEY_INVALID', `no key '${id}' for tenant '${tenant}'`);
      return found;
    };
    return serialized(keys, `revoke\u0000${id}`, async () => {
      const before = await current();
      if (before.revokedAt !== undefined) return before;
      const at = this.now();
      try {
        return await this.recorded(
          tenant,
          { type: 'key.revoked', actor, subject: id, data: { key: { id }, at } },
          () => keys.revoke(tenant, id, at, { ifNotRevoked: true }),
        );
      } catch (error) {
        if (!GovgateError.is(error, 'CONFLICT')) throw error;
        const after = await current();
        if (after.revokedAt === undefined) throw error;
        return after;
      }
    });
  }
}
