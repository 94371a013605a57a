import type {
  afterAll as AfterAll,
  beforeAll as BeforeAll,
  describe as Describe,
  expect as Expect,
  it as It,
} from '@jest/globals';

export interface JestGlobals {
  describe: typeof Describe;
  it: typeof It;
  expect: typeof Expect;
  beforeAll: typeof BeforeAll;
  afterAll: typeof AfterAll;
}

/**
 * jest's functions, taken from the test environment when a contract suite is
 * declared, so that importing `@govgate/core/testing` outside jest (in-memory ports in
 * an app) does not load jest.
 */
export function jestGlobals(): JestGlobals {
  const g = globalThis as Record<string, unknown>;
  for (const name of ['describe', 'it', 'expect', 'beforeAll', 'afterAll'])
    if (typeof g[name] !== 'function')
      throw new Error(`govgate contract suites run inside jest: the global '${name}' is missing`);
  return g as unknown as JestGlobals;
}
