#!/usr/bin/env node
// Compiles TypeScript to dist/ with SWC (path aliases rewritten, decorator metadata
// kept). Type checking is `npm run typecheck`; this stays fast so `npm start` is too.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const sources = ['apps', 'libs', 'migrations', 'bench'];

fs.rmSync(dist, { recursive: true, force: true });
const swc = path.join(root, 'node_modules', '.bin', 'swc');
const res = spawnSync(
  swc,
  [
    ...sources,
    '-d',
    'dist',
    '--config-file',
    '.swcrc',
    '--ignore',
    '**/*.spec.ts,apps/gateway/admin/**',
    '--quiet',
  ],
  { cwd: root, stdio: 'inherit' },
);
if (res.status !== 0) {
  console.error('herald: build failed');
  process.exit(res.status ?? 1);
}
// The admin console is served as written (plain ES modules): copied, not compiled.
fs.cpSync(path.join(root, 'apps', 'gateway', 'admin'), path.join(dist, 'apps', 'gateway', 'admin'), {
  recursive: true,
});
fs.writeFileSync(path.join(dist, '.build-stamp'), new Date().toISOString() + '\n');
