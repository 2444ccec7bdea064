// The console's pages, in navigation order. Each module exports `render(container, ctx)`
// where ctx = { session, navigate }; add a page by adding its module here.

import * as auditLog from './audit-log.js';
import * as clients from './clients.js';
import * as dashboard from './dashboard.js';
import * as keys from './keys.js';
import * as settings from './settings.js';
import * as webhooks from './webhooks.js';

export const PAGES = [
  { path: '/', title: 'Dashboard', render: dashboard.render },
  { path: '/keys', title: 'API keys', render: keys.render },
  { path: '/clients', title: 'OAuth clients', render: clients.render },
  { path: '/webhooks', title: 'Webhooks', render: webhooks.render },
  { path: '/audit-log', title: 'Audit log', render: auditLog.render },
  { path: '/settings', title: 'Settings', render: settings.render },
];

/** The page for a path within /admin; sub-paths (/webhooks/ep_123) belong to their section. */
export function pageFor(path) {
  return (
    PAGES.find((p) => p.path === path) ?? PAGES.find((p) => p.path !== '/' && path.startsWith(p.path + '/'))
  );
}
