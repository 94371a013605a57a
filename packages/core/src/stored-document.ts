import { GovgateError } from './errors.js';
import type { DocumentVersion } from './ports.js';

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
