import { describe, expect, it } from '@jest/globals';
import { GovgateError } from '@govgate/core';
import { checkUrl, maskUrl } from './connection.js';

const errorOf = (work: () => unknown): unknown => {
  try {
    work();
    return undefined;
  } catch (error) {
    return error;
  }
};

describe('maskUrl', () => {
  it('given a connection string with a password, when masked, then the password is replaced', () => {
    expect(maskUrl('postgres://app:s3cret@db.example:5432/govgate')).toBe(
      'postgres://app:***@db.example:5432/govgate',
    );
  });

  it('given an unparseable connection string, when masked, then the password is still hidden', () => {
    expect(maskUrl('postgres://app:s3cret@db:notaport/govgate')).not.toContain('s3cret');
  });
});

describe('checkUrl', () => {
  it('given a malformed connection string, when checked, then the error names the setting and masks the password', () => {
    const error = errorOf(() =>
      checkUrl('postgres://app:s3cret@db:notaport/govgate', 'GOVGATE_DATABASE_URL'),
    );
    expect(GovgateError.is(error, 'STORE_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain('GOVGATE_DATABASE_URL');
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('given another scheme, when checked, then the error says which schemes are expected', () => {
    expect(errorOf(() => checkUrl('mysql://app@db/govgate', 'GOVGATE_LEDGER_URL'))).toMatchObject({
      message: expect.stringContaining('expected postgres: or postgresql:') as unknown as string,
    });
  });

  it('given an empty setting, when checked, then the error names the setting', () => {
    expect(errorOf(() => checkUrl('', 'GOVGATE_LEDGER_URL'))).toMatchObject({
      message: expect.stringContaining('GOVGATE_LEDGER_URL') as unknown as string,
    });
  });

  it('given a well-formed connection string, when checked, then it is returned unchanged', () => {
    expect(checkUrl('postgresql://app:pw@127.0.0.1:5432/db', 'url')).toBe(
      'postgresql://app:pw@127.0.0.1:5432/db',
    );
  });
});
