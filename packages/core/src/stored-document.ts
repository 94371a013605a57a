import { GovgateError } from './errors.js';
import type { AppendRequest } from './ledger/entry.js';
import { recordedChange } from './ledger/recorded-change.js';
import type {
  DocumentKind,
  DocumentVersion,
  LedgerPort,
  VersionRef,
  VersionedStore,
} from './ports.js';
import { serialized } from './serialized.js';

/** A document version as the SQL stores keep it: the document as JSON text. */
export interface StoredDocumentRow {
  readonly tenant: string;
  readonly documentId: string;
  readonly version: number;
  readonly digest: string;
  readonly document: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

/**
 * A stored document version read back (for the store adapters): the JSON text parsed,
 * and STORE_UNAVAILABLE naming the row when it is not JSON (damaged storage, never
 * input a caller can fix).
 *
 * @example
 * const record = documentVersionFromRow<PolicySource>(row, 'policy_versions');
 */
export function documentVersionFromRow<D>(
  row: StoredDocumentRow,
  table: string,
): DocumentVersion<D> {
  let document: D;
  try {
    document = JSON.parse(row.document) as D;
  } catch (cause) {
    throw new GovgateError(
      'STORE_UNAVAILABLE',
      `${table}(${row.tenant}, ${row.documentId}, ${row.version}) holds a document that is not JSON`,
      { cause },
    );
  }
  return {
    tenant: row.tenant,
    id: row.documentId,
    version: row.version,
    digest: row.digest,
    document,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
  };
}

/**
 * Whether the active version (`current`, undefined for none) is what a compare-and-set
 * activation `expected` (null for none): the check every store makes before it sets.
 */
export function isExpectedActive(
  current: VersionRef | undefined,
  expected: VersionRef | null,
): boolean {
  if (current === undefined || expected === null) return current === undefined && expected === null;
  return current.id === expected.id && current.version === expected.version;
}

/** The CONFLICT of a compare-and-set activation whose expected version is no longer active. */
export function activeChanged(
  kind: DocumentKind,
  tenant: string,
  expected: VersionRef | null,
): GovgateError {
  return new GovgateError(
    'CONFLICT',
    `the active ${kind.noun} of tenant '${tenant}' is no longer ${
      expected === null ? 'none' : `'${expected.id}' version ${expected.version}`
    }`,
  );
}

/** The CONFLICT of a save with `ifAbsent` of a version that is stored already. */
export function versionExists(kind: DocumentKind, id: string, version: number): GovgateError {
  return new GovgateError('CONFLICT', `${kind.noun} '${id}' version ${version} exists already`);
}

/**
 * Why a compare-and-set revocation (`ifNotRevoked`) changed nothing: the tenant has no
 * such key (KEY_INVALID), or it is revoked already (CONFLICT).
 */
export function revokeRefused(tenant: string, id: string, exists: boolean): GovgateError {
  return exists
    ? new GovgateError('CONFLICT', `key '${id}' is already revoked`)
    : new GovgateError('KEY_INVALID', `no key '${id}' for tenant '${tenant}'`);
}

/** What saving a document version did: the version as stored, and whether this call created it. */
export interface SavedVersion<R> {
  readonly record: R;
  /** False when the same (id, version) with the same content was there already (nothing recorded). */
  readonly created: boolean;
}

/**
 * Saves a new document version the way every versioned kind does: the same (id,
 * version) with the same digest returns what is stored (nothing recorded again), with
 * another digest it is a CONFLICT; otherwise the ledger entry is written first and
 * the version saved only if still absent (see `recordedChange`). Saves of one (id,
 * version) through one store run one at a time in this process; a save another
 * process made first in between leaves this one's entry corrected and answers
 * `created: false` (the same content) or CONFLICT (other content).
 *
 * @example
 * const { record, created } = await saveDocumentVersion(policies, ledger, record, { type: 'policy.version', actor, data }, 'policy');
 */
export function saveDocumentVersion<R extends DocumentVersion<unknown>>(
  store: Pick<VersionedStore<R>, 'getVersion' | 'saveVersion'>,
  ledger: Pick<LedgerPort, 'append'>,
  record: R,
  entry: AppendRequest,
  noun: string,
): Promise<SavedVersion<R>> {
  const key = `save\u0000${record.tenant}\u0000${record.id}\u0000${record.version}`;
  return serialized(store, key, async () => {
    const existing = (): Promise<SavedVersion<R> | undefined> =>
      store.getVersion(record.tenant, record.id, record.version).then((stored) => {
        if (stored === undefined) return undefined;
        if (stored.digest === record.digest) return { record: stored, created: false };
        throw new GovgateError(
          'CONFLICT',
          `${noun} '${record.id}' version ${record.version} already exists with other content`,
        );
      });
    const before = await existing();
    if (before !== undefined) return before;
    try {
      const saved = await recordedChange(ledger, record.tenant, entry, () =>
        store.saveVersion(record, { ifAbsent: true }),
      );
      return { record: saved, created: true };
    } catch (error) {
      // Another process saved this version since (its entry records the save, this
      // one's is corrected): the same content is the version asked for.
      const after = GovgateError.is(error, 'CONFLICT') ? await existing() : undefined;
      if (after === undefined) throw error;
      return after;
    }
  });
}

/**
 * The tenant's active version as the store holds it now. `getActive` may answer from a
 * cache that another process's change has not reached, so the answer is confirmed by a
 * compare-and-set from and to that version, which changes nothing (and makes a caching
 * store forget what it held); when it fails, the version is read again. None active is
 * not confirmed: a compare-and-set from none then fails as a CONFLICT.
 */
async function confirmedActive<R extends DocumentVersion<unknown>>(
  store: ActivatableStore<R>,
  tenant: string,
): Promise<R | undefined> {
  for (let attempt = 1; ; attempt++) {
    const active = await store.getActive(tenant);
    if (active === undefined) return undefined;
    try {
      const ref = { id: active.id, version: active.version };
      await store.activate(tenant, ref.id, ref.version, ref);
      return active;
    } catch (error) {
      if (!GovgateError.is(error, 'CONFLICT') || attempt >= 3) throw error;
    }
  }
}

/** The store calls `activateDocumentVersion` needs (a policy or profile store). */
type ActivatableStore<R> = Pick<VersionedStore<R>, 'getVersion' | 'getActive' | 'activate'>;

/**
 * Makes a saved version the tenant's active one the way every versioned kind does:
 * the kind's not-found error for a version never saved; when that version is active
 * already (`confirmedActive`: a cached read may be stale), nothing changes and nothing
 * is recorded; otherwise the entry `entryFor`
 * makes (given the version active before, if any) is written first and the store
 * compares and sets from that version (see `recordedChange`). Activations of one
 * tenant through one store run one at a time in this process; one that another
 * process beat to the same version gets an `audit.correction` for its entry and
 * succeeds, one beaten to another version is the store's CONFLICT.
 *
 * @example
 * await activateDocumentVersion(profiles, ledger, { tenant, id, version }, kind, (record) => ({
 *   type: 'profile.activated', actor, data: { profile: { id, version, digest: record.digest } },
 * }));
 */
export function activateDocumentVersion<R extends DocumentVersion<unknown>>(
  store: ActivatableStore<R>,
  ledger: Pick<LedgerPort, 'append'>,
  target: { readonly tenant: string } & VersionRef,
  kind: DocumentKind,
  entryFor: (record: R, previous: R | undefined) => AppendRequest,
): Promise<R> {
  const { tenant, id, version } = target;
  const isTarget = (r: R | undefined) => r !== undefined && r.id === id && r.version === version;
  return serialized(store, `activate\u0000${tenant}`, async () => {
    const record = await store.getVersion(tenant, id, version);
    if (record === undefined)
      throw new GovgateError(
        kind.notFound,
        `${kind.noun} '${id}' version ${version} does not exist`,
      );
    const previous = await confirmedActive(store, tenant);
    if (isTarget(previous)) return record;
    const expected = previous === undefined ? null : { id: previous.id, version: previous.version };
    try {
      await recordedChange(ledger, tenant, entryFor(record, previous), () =>
        store.activate(tenant, id, version, expected),
      );
    } catch (error) {
      // Another process activated this very version first: what was asked for holds.
      if (GovgateError.is(error, 'CONFLICT') && isTarget(await store.getActive(tenant)))
        return record;
      throw error;
    }
    return record;
  });
}
