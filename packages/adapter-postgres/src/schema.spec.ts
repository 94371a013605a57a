import { describe, expect, it } from '@jest/globals';
import { USAGE_COUNTERS } from '@govgate/core';
import { getTableColumns } from 'drizzle-orm';
import { usageCounters } from './schema.js';

describe('usage_counters schema', () => {
  it("given core's usage counters, then the table has one column for each", () => {
    const columns = Object.keys(getTableColumns(usageCounters));
    expect(USAGE_COUNTERS.filter((counter) => !columns.includes(counter))).toEqual([]);
  });
});
