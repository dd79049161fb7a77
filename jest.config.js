/**
 * Test tiers (see README "Testing"):
 *  - unit:    src/**\/*.spec.ts, one class at a time, collaborators mocked
 *  - medium:  test/medium, repositories and migrations on real SQLite, PostgreSQL and MariaDB (same suite three times)
 *  - e2e:     test/e2e, the gateway over HTTP/MCP with real clients and servers on 127.0.0.1
 *  - conformance: the official MCP conformance suite against the gateway fronting its fixture server
 *  - ui:      test/ui, the admin UI driven in headless Chromium (playwright-core) against a real gateway
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

// NestJS 12 packages are ESM-only. Node runs them through require(esm), but Jest's CommonJS runtime cannot
// (before Node 24.9), so Jest compiles them to CommonJS with SWC like our own sources (cached after the first run).
// OpenTelemetry's exporters load `http` with a dynamic import(), which Jest's vm cannot run either: compile those too.
const TRANSFORMED = ['@nestjs', 'jose', '@opentelemetry', '@apidevtools'];

const base = {
  // dist/ holds the compiled build (and a copy of package.json); never load tests or modules from it.
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.cache/'],
  transform: { '^.+\\.ts$': swc, '^.+\\.m?js$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${TRANSFORMED.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testEnvironment: 'node',
};

const medium = (dialect) => ({
  ...base,
  displayName: `medium:${dialect}`,
  testMatch: ['<rootDir>/test/medium/**/*.medium-spec.ts'],
  setupFiles: [`<rootDir>/test/support/dialect-${dialect}.ts`],
});

module.exports = {
  // Generous: e2e hooks start gateways, peers and databases, which take several times longer on a busy 2-core machine.
  testTimeout: 60000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    medium('sqlite'),
    medium('postgres'),
    medium('mysql'),
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
    { ...base, displayName: 'conformance', testMatch: ['<rootDir>/test/conformance/**/*.e2e-spec.ts'] },
    { ...base, displayName: 'ui', testMatch: ['<rootDir>/test/ui/**/*.ui-spec.ts'] },
  ],
};
