#!/usr/bin/env node
// The `herald` command. Runs the compiled CLI, building it first when dist/ is
// missing or older than the sources (a fresh clone, or after a pull).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const entry = path.join(root, 'dist', 'apps', 'cli', 'src', 'main.js');
const stamp = path.join(root, 'dist', '.build-stamp');
// Served as written and copied into dist/ by the build: any file there counts.
const adminUi = path.join(root, 'apps', 'gateway', 'admin');

function newestSource(dir) {
  let newest = 0;
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (ent.name.endsWith('.ts') || p.startsWith(adminUi + path.sep))
      newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

function stale() {
  if (!fs.existsSync(entry) || !fs.existsSync(stamp)) return true;
  if (!fs.existsSync(path.join(root, 'apps'))) return false; // installed without sources
  const built = fs.statSync(stamp).mtimeMs;
  return ['apps', 'libs', 'migrations'].some((d) => newestSource(path.join(root, d)) > built);
}

if (stale()) {
  const res = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.js')], { stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
}
require(entry);
