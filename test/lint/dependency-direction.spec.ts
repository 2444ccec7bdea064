/**
 * The dependency-direction rules of eslint.dependencies.cjs, run by ESLint itself on
 * imports placed in each layer: what the layering allows passes, what it forbids fails.
 */
import * as path from 'node:path';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the very entries eslint.config.mjs spreads
const rules = require('../../eslint.dependencies.cjs') as Linter.Config[];

const ROOT = path.resolve(__dirname, '..', '..');

function problems(file: string, source: string): string[] {
  const linter = new Linter({ configType: 'flat', cwd: ROOT });
  const config: Linter.Config[] = [
    { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } },
    ...rules,
  ];
  return linter.verify(source, config, path.join(ROOT, file)).map((m) => m.message);
}

describe('dependency direction', () => {
  it.each([
    ['apps/cli/src/x.ts', `import { a } from '@herald/webhooks';`],
    ['apps/gateway/src/x.ts', `import { a } from '@herald/access';`],
    ['libs/webhooks/src/x.ts', `import { a } from '@herald/platform';`],
    ['libs/webhooks/src/x.ts', `import type { KafkaMessage } from '@herald/platform';`],
    ['libs/events/src/x.ts', `import { a } from '@herald/contracts';`],
    ['libs/platform/src/x.ts', `import { a } from '@herald/contracts';`],
    ['libs/platform/src/kafka/x.ts', `import type { Kafka } from 'kafkajs';`],
    ['libs/platform/src/x.spec.ts', `import { a } from '../../../test/support/tls';`],
    ['libs/contracts/src/x.ts', `import Ajv from 'ajv/dist/2020';`],
    ['libs/receiver/src/dedupe/x.ts', `import { a } from '../verify';`],
    ['libs/receiver/src/x.ts', `import type { FastifyReply } from 'fastify';`],
    ['libs/receiver/src/x.spec.ts', `import { a } from '../../webhooks/src/signing';`],
    ['libs/client/src/x.ts', `import * as http from 'node:http';`],
    ['libs/client/src/x.ts', `import { Transport } from './transport';`],
    ['libs/client/src/fake/x.ts', `import { publicEventId } from '../public-id';`],
    ['libs/client/src/fake/x.ts', `import { MAX_JSON_DEPTH } from '../generated/catalogue';`],
  ])('lets %s %s', (file, source) => {
    expect(problems(file, source)).toEqual([]);
  });

  it.each([
    ['libs/access/src/x.ts', `import { a } from '@herald/webhooks';`, 'across context libraries'],
    ['libs/events/src/x.ts', `import { a } from '@herald/commands/append';`, 'across context libraries'],
    ['libs/webhooks/src/x.spec.ts', `import { a } from '@herald/events';`, 'across context libraries'],
    ['libs/platform/src/x.ts', `import { a } from '@herald/access';`, 'contracts only'],
    ['libs/contracts/src/x.ts', `import { a } from '@herald/platform';`, 'nothing of Herald'],
    ['libs/contracts/src/x.ts', `import { Injectable } from '@nestjs/common';`, 'no framework'],
    ['libs/events/src/x.ts', `import type { KafkaMessage } from 'kafkajs';`, 'kafkajs stays inside platform'],
    ['apps/cli/src/x.ts', `import { Kafka } from 'kafkajs';`, 'kafkajs stays inside platform'],
    [
      'libs/webhooks/src/x.ts',
      `import { a } from '../../../test/support/tls';`,
      'never depends on test code',
    ],
    [
      'apps/cli/src/x.ts',
      `import { a } from '../../../test/fixtures/internal-events';`,
      'never depends on test code',
    ],
    ['libs/receiver/src/x.ts', `import { a } from '@herald/contracts';`, 'published on its own'],
    ['libs/receiver/src/x.ts', `import { a } from '../../webhooks/src/signing';`, 'published on its own'],
    ['libs/receiver/src/dedupe/x.ts', `import { a } from '../../../libs/platform';`, 'published on its own'],
    ['libs/receiver/src/dedupe/x.ts', `import { Pool } from 'pg';`, 'no dependencies'],
    ['libs/client/src/x.ts', `import { a } from '@herald/contracts';`, 'nothing of Herald'],
    ['libs/client/src/fake/x.spec.ts', `import { a } from '@herald/platform/http';`, 'nothing of Herald'],
    ['libs/client/src/x.ts', `import Ajv from 'ajv/dist/2020';`, 'no dependencies'],
    ['libs/client/src/x.ts', `import * as http from 'http';`, 'no dependencies'],
    ['libs/client/src/x.ts', `import { a } from '../../contracts/src';`, 'nothing outside libs/client'],
    [
      'libs/client/src/fake/x.ts',
      `import { a } from '../../../platform/src';`,
      'nothing outside libs/client',
    ],
  ])('refuses in %s: %s', (file, source, why) => {
    const found = problems(file, source);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(why);
  });
});
