/**
 * docs/api-events-reference.md is generated from libs/contracts: regenerating it must give
 * the committed file byte for byte (`npm run openapi` rewrites it).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

it('docs/api-events-reference.md is what the contracts generate', () => {
  const res = spawnSync(
    process.execPath,
    [path.join(ROOT, 'scripts', 'generate-events-reference.js'), '--check'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  expect({ status: res.status, stderr: res.stderr }).toEqual({ status: 0, stderr: '' });
});
