import { GovgateError } from './errors.js';
import type { AppendRequest } from './ledger/entry.js';
import { recordedChange } from './ledger/recorded-change.js';
import type { DocumentVersion, LedgerPort } from './ports.js';

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
 * Saves a new document version the way every versioned kind does: the same (id,
 * version) with the same digest returns what is stored (nothing recorded again), with
 * another digest it is a CONFLICT; otherwise the ledger entry is written first and
 * the version saved (see `recordedChange`).
 *
 * @example
 * await saveDocumentVersion(policies, ledger, record, { type: 'policy.version', actor, data }, 'policy');
 */
export async function saveDocumentVersion<R extends DocumentVersion<unknown>>(
  store: {
    getVersion(tenant: string, id: string, version: number): Promise<R | undefined>;
    saveVersion(record: R): Promise<R>;
  },
  ledger: Pick<LedgerPort, 'append'>,
  record: R,
  entry: AppendRequest,
  noun: string,
): Promise<R> {
  const existing = await store.getVersion(record.tenant, record.id, record.version);
  if (existing !== undefined) {
    if (existing.digest === record.digest) return existing;
    throw new GovgateError(
      'CONFLICT',
      `${noun} '${record.id}' version ${record.version} already exists with other content`,
    );
  }
  return recordedChange(ledger, record.tenant, entry, () => store.saveVersion(record));
}
