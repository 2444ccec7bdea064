/**
 * The admin console's files, read once. They live in apps/gateway/admin/ beside this app's
 * sources; scripts/build.js copies that folder to dist/apps/gateway/admin/, which is the
 * same place relative to the compiled module.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ADMIN_UI_DIR = path.resolve(__dirname, '..', '..', 'admin');

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.html': 'text/html; charset=utf-8',
};

export interface AdminUiAsset {
  contentType: string;
  body: Buffer;
}

export interface AdminUiFiles {
  index: Buffer;
  /** By path under /admin/ (`app.js`, `pages/login.js`); index.html is served as the page only. */
  assets: Map<string, AdminUiAsset>;
}

export function loadAdminUiFiles(dir = ADMIN_UI_DIR): AdminUiFiles {
  const assets = new Map<string, AdminUiAsset>();
  const walk = (sub: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else {
        const type = CONTENT_TYPES[path.extname(entry.name)];
        if (type && rel !== 'index.html') {
          assets.set(rel, { contentType: type, body: fs.readFileSync(path.join(dir, rel)) });
        }
      }
    }
  };
  walk('');
  return { index: fs.readFileSync(path.join(dir, 'index.html')), assets };
}
