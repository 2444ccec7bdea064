// Two tiers: unit specs next to the code, integration/e2e under test/ against the
// real broker and database that test/support/global-setup.ts starts.
'use strict';

const swc = [
  '@swc/jest',
  {
    swcrc: false,
    sourceMaps: 'inline',
    module: { type: 'commonjs' },
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true, dynamicImport: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      keepClassNames: true,
    },
  },
];

const moduleNameMapper = {
  '^@herald/contracts$': '<rootDir>/libs/contracts/src',
  '^@herald/contracts/(.*)$': '<rootDir>/libs/contracts/src/$1',
  '^@herald/platform$': '<rootDir>/libs/platform/src',
  '^@herald/platform/(.*)$': '<rootDir>/libs/platform/src/$1',
  '^@herald/commands$': '<rootDir>/libs/commands/src',
  '^@herald/commands/(.*)$': '<rootDir>/libs/commands/src/$1',
  '^@herald/access$': '<rootDir>/libs/access/src',
  '^@herald/access/(.*)$': '<rootDir>/libs/access/src/$1',
  '^@herald/events$': '<rootDir>/libs/events/src',
  '^@herald/events/(.*)$': '<rootDir>/libs/events/src/$1',
  '^@herald/webhooks$': '<rootDir>/libs/webhooks/src',
  '^@herald/webhooks/(.*)$': '<rootDir>/libs/webhooks/src/$1',
  '^@herald/receiver$': '<rootDir>/libs/receiver/src',
  '^@herald/receiver/(.*)$': '<rootDir>/libs/receiver/src/$1',
};

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper,
  moduleFileExtensions: ['ts', 'js', 'json'],
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.herald/', '<rootDir>/libs/receiver/dist/'],
};

module.exports = {
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/apps/**/*.spec.ts',
        '<rootDir>/libs/**/*.spec.ts',
        '<rootDir>/test/**/*.spec.ts',
      ],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.int-spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/integration-setup.ts'],
    },
  ],
};
