import { describe, expect, it } from '@jest/globals';
import { GovgateError } from './errors.js';
import { documentVersionFromRow } from './stored-document.js';

describe('documentVersionFromRow', () => {
  const row = {
    tenant: 'acme',
    documentId: 'default',
    version: 3,
    digest: 'd'.repeat(64),
    document: '{"id":"default","version":3}',
    createdAt: '2026-12-01T00:00:00.000Z',
    createdBy: 'admin',
  };

  it('reads a stored row back as the version record', () => {
    expect(documentVersionFromRow(row, 'policy_versions')).toEqual({
      tenant: 'acme',
      id: 'default',
      version: 3,
      digest: 'd'.repeat(64),
      document: { id: 'default', version: 3 },
      createdAt: '2026-12-01T00:00:00.000Z',
      createdBy: 'admin',
    });
  });

  it('names the row when its document is not JSON (damaged storage)', () => {
    let error: unknown;
    try {
      documentVersionFromRow({ ...row, document: '{"id":' }, 'profile_versions');
    } catch (e) {
      error = e;
    }
    expect(GovgateError.is(error, 'STORE_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toBe(
      'profile_versions(acme, default, 3) holds a document that is not JSON',
    );
  });
});
