import { describe, expect, it } from '@jest/globals';
import { GovgateError } from './errors.js';
import type { PolicyVersionRecord } from './ports.js';
import { documentVersionFromRow, saveDocumentVersion, versionExists } from './stored-document.js';
import { seedPolicy } from './testing/builders.js';
import { InMemoryLedger } from './testing/in-memory-ledger.js';
import { InMemoryPolicyStore } from './testing/in-memory-stores.js';

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

describe('saveDocumentVersion when another process saves the same version first', () => {
  const kind = { noun: 'policy', notFound: 'POLICY_NOT_FOUND' } as const;
  const version = (digest: string, createdBy: string): PolicyVersionRecord => ({
    tenant: 'acme',
    id: 'default',
    version: 1,
    digest: digest.repeat(64),
    document: seedPolicy(),
    createdAt: '2026-12-01T00:00:00.000Z',
    createdBy,
  });
  /** A store in which `other` is saved by "another process" right after this one looks. */
  function racing(other: PolicyVersionRecord) {
    const store = new InMemoryPolicyStore();
    let first = true;
    return {
      store,
      view: {
        getVersion: async (tenant: string, id: string, n: number) => {
          const found = await store.getVersion(tenant, id, n);
          if (first) {
            first = false;
            await store.saveVersion(other);
          }
          return found;
        },
        saveVersion: store.saveVersion.bind(store),
      },
    };
  }
  const entry = { type: 'policy.version', actor: 'me', data: { policy: { id: 'default' } } };
  const types = async (ledger: InMemoryLedger) => {
    const out: string[] = [];
    for await (const stored of ledger.read('acme')) out.push(stored.entry.type);
    return out;
  };

  it('answers the stored version, not created, and corrects its own entry', async () => {
    const ledger = new InMemoryLedger();
    const theirs = version('a', 'them');
    const { store, view } = racing(theirs);
    const saved = await saveDocumentVersion(view, ledger, version('a', 'me'), entry, 'policy');
    expect(saved).toEqual({ record: theirs, created: false });
    expect(await store.getVersion('acme', 'default', 1)).toEqual(theirs);
    expect(await types(ledger)).toEqual(['policy.version', 'audit.correction']);
  });

  it('is a CONFLICT when the version saved first has other content', async () => {
    const ledger = new InMemoryLedger();
    const { view } = racing(version('b', 'them'));
    const saving = saveDocumentVersion(view, ledger, version('a', 'me'), entry, 'policy');
    await expect(saving).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await types(ledger)).toEqual(['policy.version', 'audit.correction']);
  });

  it('creates a version nobody saved, and stores with ifAbsent refuse one that exists', async () => {
    const ledger = new InMemoryLedger();
    const store = new InMemoryPolicyStore();
    const mine = version('a', 'me');
    expect(await saveDocumentVersion(store, ledger, mine, entry, 'policy')).toEqual({
      record: mine,
      created: true,
    });
    await expect(store.saveVersion(mine, { ifAbsent: true })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: versionExists(kind, 'default', 1).message,
    });
    expect(await types(ledger)).toEqual(['policy.version']);
  });
});
