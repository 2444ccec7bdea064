import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root (where package.json and infra/ live), from source or from dist/. */
export function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'infra'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot locate the Herald project root from ' + __dirname);
    dir = parent;
  }
}
