import { describe, expect, it } from '@jest/globals';
import { GovgateError } from '@govgate/core';
import { wrapError } from './errors.js';

const driverError = (code: string, message: string): Error =>
  Object.assign(new Error(message), { code });

describe('wrapError', () => {
  it('given a GovgateError, when wrapped, then it passes through unchanged', () => {
    const original = new GovgateError('CONFLICT', 'exists');
    expect(wrapError(original, 'saving')).toBe(original);
  });

  it('given a missing table, when wrapped, then the error says to run the migrations', () => {
    const error = wrapError(driverError('42P01', 'relation "tenants" does not exist'), 'reading');
    expect(error.message).toMatch(/^reading: .*run the migrations/);
  });

  it('given another driver error, when wrapped, then it keeps context, message and cause', () => {
    const cause = driverError('57P01', 'terminating connection');
    const error = wrapError(cause, 'appending');
    expect([error.code, error.message, error.cause]).toEqual([
      'STORE_UNAVAILABLE',
      'appending: terminating connection',
      cause,
    ]);
  });
});
