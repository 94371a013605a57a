// Unit tests (*.spec.ts) need no database, network or file system beyond fixtures;
// integration tests (*.int.spec.ts) talk to real SQLite, Postgres or the file system.
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
    module: { type: 'commonjs' },
  },
];

const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': swc },
  // ESM-only dependencies are compiled to CommonJS for jest like our own sources.
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/[^/]+/node_modules/)?canonicalize/)'],
  moduleNameMapper: {
    // exports only an `import` condition, which jest's CommonJS resolution does not use
    '^canonicalize$': '<rootDir>/packages/core/node_modules/canonicalize/lib/canonicalize.js',
    '^@govgate/([a-z0-9-]+)$': '<rootDir>/packages/$1/src/index.ts',
    '^@govgate/core/ledger-digest$': '<rootDir>/packages/core/src/ledger/digest.ts',
    '^@govgate/([a-z0-9-]+)/([a-z0-9-]+)$': '<rootDir>/packages/$1/src/$2/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  modulePathIgnorePatterns: ['<rootDir>/packages/[^/]+/dist/'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/{packages,examples,bench,tools}/**/*.spec.ts'],
      testPathIgnorePatterns: ['\\.int\\.spec\\.ts$', '/node_modules/', '/dist/'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{packages,examples,tools}/**/*.int.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    },
  ],
};
