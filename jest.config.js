// Two projects: `unit` is pure domain code (no servers); `integration` needs the real
// Temporal and MongoDB-wire servers that infra/test.sh starts (or TEMPORAL_ADDRESS/MONGODB_URI).
const transform = { '^.+\\.ts$': 'ts-jest' }; // tsconfig's isolatedModules: transpile only, tsc typechecks

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/tests/unit/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/tests/helpers/integrationSetup.ts'],
    },
    {
      // The PI dashboard in Debian's headless Chromium (playwright-core), on the real servers.
      displayName: 'browser',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/tests/browser/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/tests/helpers/integrationSetup.ts'],
    },
    {
      // The MD stage against a real one-node SLURM cluster and the CHGNet engine (infra/test.sh
      // starts both); each file says why it skips where they cannot run.
      displayName: 'md',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/tests/md/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/tests/helpers/integrationSetup.ts'],
    },
  ],
};
