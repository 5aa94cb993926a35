// Four test layers (see ../shared/conventions.md): unit (pure, no services), integration and
// http (real Postgres and Redis, a fresh database per test file cloned from a migrated template),
// and browser (Debian chromium through playwright-core). `npm test` runs them all.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];
// Packages published as ESM only. Node 20 loads them with require(esm), Jest's runtime cannot,
// so swc compiles them to CommonJS for the tests (the app itself runs them untransformed).
const esmOnly = ['content-disposition', 'cookie', 'file-type', 'marked', 'strnum', 'strtok3', 'token-types', 'uint8array-extras', 'xml-naming', 'anynum', '@borewit', '@tokenizer', '@nodable', 'get-east-asian-width', '@digitalbazaar', 'base58-universal', 'base64url-universal'];
const common = {
  transform: { '^.+\\.ts$': swc, '^.+\\.m?js$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testEnvironment: 'node',
  rootDir: __dirname,
};
module.exports = {
  // Per-project testTimeout is ignored by Jest 30; the real services make some tests slow.
  testTimeout: 120000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.spec.ts', '<rootDir>/test/http/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
