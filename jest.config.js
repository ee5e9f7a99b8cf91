// Unit tests sit beside the code (src/**/*.spec.ts); service tests (test/service/) run the modules without HTTP on
// in-memory SQLite; integration tests (test/**/*.e2e-spec.ts) boot the app against MariaDB and Redis.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
    },
    {
      // Services without HTTP, on in-memory SQLite with a clock the test moves (test/support/service-context.ts).
      displayName: 'service',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/service/**/*.spec.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      slowTestThreshold: 30,
    },
  ],
  testTimeout: 60000,
  // One test file at a time: the fault and cluster suites start their own servers (a 3-node Galera cluster, Redis
  // Clusters, private mariadbd processes) and measure bounds in seconds; run next to each other on a 2-core machine
  // they starve each other, and a bound that holds on its own fails now and then.
  maxWorkers: 1,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
