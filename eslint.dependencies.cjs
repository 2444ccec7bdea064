// Dependency direction (docs/architecture.md, "Layout"), as ESLint flat-config entries:
//
//   apps  →  context libraries (access, commands, events, webhooks)  →  platform  →  contracts
//
// - contracts depend on nothing of Herald and on no framework, broker or database client;
// - platform depends on contracts only;
// - a context library depends on contracts and platform, never on another context;
// - kafkajs is used inside platform only: everything else takes its types from @herald/platform;
// - library code never reaches into test/ (specs may);
// - libs/receiver is published on its own (@herald/receiver): it imports nothing of Herald,
//   no file outside its folder and no driver (clients are passed in); its specs may use
//   Herald's signer to prove they agree.
// - libs/client is a package of its own: Node built-ins and its own files only.
// Specs and tests follow the same direction, except that they may use test support.
'use strict';

const CONTEXTS = ['access', 'commands', 'events', 'webhooks'];
const LIBRARIES = ['contracts', 'platform', ...CONTEXTS];

const herald = (names) => names.flatMap((n) => [`@herald/${n}`, `@herald/${n}/*`]);
const KAFKAJS = {
  group: ['kafkajs', 'kafkajs/*'],
  message: 'kafkajs stays inside platform: import its types from @herald/platform.',
};
const TEST_CODE = {
  group: ['**/test/support/*', '**/test/fixtures/*', '**/test/support', '**/test/fixtures'],
  message: 'library and app code never depends on test code.',
};

/** What each library may not import, besides test code. */
const FORBIDDEN = {
  contracts: [
    {
      group: herald(LIBRARIES.filter((l) => l !== 'contracts')),
      message: 'contracts depend on nothing of Herald.',
    },
    {
      group: ['kafkajs', 'kafkajs/*', 'pg', 'typeorm', '@nestjs/*', 'fastify'],
      message: 'contracts are plain data, schemas and functions: no framework, broker or database client.',
    },
  ],
  platform: [
    { group: herald(CONTEXTS), message: 'platform depends on contracts only, never on a context library.' },
  ],
  ...Object.fromEntries(
    CONTEXTS.map((ctx) => [
      ctx,
      [
        {
          group: herald(CONTEXTS.filter((c) => c !== ctx)),
          message: 'no imports across context libraries: share through contracts or platform.',
        },
        KAFKAJS,
      ],
    ]),
  ),
};

const RECEIVER = [
  {
    group: ['@herald/*', '@herald/*/*', '../../*', '../../../*', '**/libs/*'],
    message:
      '@herald/receiver is published on its own: it imports nothing of Herald or outside libs/receiver.',
  },
  {
    group: ['pg', 'ioredis', 'redis', 'typeorm', 'express', 'kafkajs'],
    message: '@herald/receiver has no dependencies: take clients structurally, frameworks as optional peers.',
  },
];
/** libs/client ships on its own: no Herald library, no npm dependency, nothing outside it. */
const CLIENT = [
  { group: herald([...LIBRARIES, 'client']), message: 'the client package depends on nothing of Herald.' },
  {
    regex: '^(?!node:|@herald/|\\.{1,2}/)',
    message: 'the client package has no dependencies: Node built-ins (node:…) and its own files only.',
  },
];
const outside = (depth) => ({
  regex: `^(\\.\\./){${depth},}`,
  message: 'the client package imports nothing outside libs/client.',
});

const SPECS = ['**/*.spec.ts'];
const rule = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

module.exports = [
  ...LIBRARIES.flatMap((lib) => [
    { files: [`libs/${lib}/src/**/*.ts`], ignores: SPECS, rules: rule([...FORBIDDEN[lib], TEST_CODE]) },
    { files: SPECS.map((s) => `libs/${lib}/src/${s}`), rules: rule(FORBIDDEN[lib]) },
  ]),
  { files: ['libs/receiver/src/**/*.ts'], ignores: SPECS, rules: rule([...RECEIVER, TEST_CODE]) },
  { files: ['libs/client/src/*.ts'], rules: rule([...CLIENT, outside(2)]) },
  { files: ['libs/client/src/*/**/*.ts'], rules: rule([...CLIENT, outside(3)]) },
  { files: ['apps/**/*.ts'], ignores: SPECS, rules: rule([KAFKAJS, TEST_CODE]) },
  { files: SPECS.map((s) => `apps/${s}`), rules: rule([KAFKAJS]) },
];
module.exports.CONTEXTS = CONTEXTS;
