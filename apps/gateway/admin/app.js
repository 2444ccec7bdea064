// The admin console: checks the session, then shows the login page or the shell (header,
// navigation, one page module per route under pages/). Client-side routes live under
// /admin; the gateway answers every one of them with index.html.

import { ApiError, currentSession, logout, onUnauthenticated } from './api.js';
import { clear, h } from './dom.js';
import { renderLogin } from './pages/login.js';
import { PAGES, pageFor } from './pages/index.js';

const BASE = '/admin';
const root = document.getElementById('app');
let session = null;

function pathWithin() {
  const rest = location.pathname.slice(BASE.length).replace(/\/+$/, '');
  return rest === '' ? '/' : rest;
}

export function navigate(path, { replace = false } = {}) {
  const url = BASE + (path === '/' ? '' : path);
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  void render();
}

function toLogin() {
  session = null;
  navigate('/login', { replace: true });
}

onUnauthenticated(() => toLogin());

async function render() {
  const path = pathWithin();
  if (!session) {
    try {
      session = await currentSession();
    } catch (err) {
      showFatal(err);
      return;
    }
  }
  if (!session) {
    if (path !== '/login') history.replaceState(null, '', BASE + '/login');
    renderLogin(root, {
      onLoggedIn(s) {
        session = s;
        navigate('/', { replace: true });
      },
    });
    return;
  }
  if (path === '/login') {
    navigate('/', { replace: true });
    return;
  }
  renderShell(path);
}

function renderShell(path) {
  const page = pageFor(path);
  clear(root);
  const main = h('main', { id: 'main', class: 'content', tabindex: '-1' });
  const nav = h(
    'nav',
    { class: 'sidebar', 'aria-label': 'Sections' },
    h(
      'ul',
      {},
      PAGES.map((p) =>
        h(
          'li',
          {},
          h(
            'a',
            {
              href: BASE + (p.path === '/' ? '' : p.path),
              class: p === page ? 'nav-link active' : 'nav-link',
              'aria-current': p === page ? 'page' : undefined,
              'data-nav': p.path,
            },
            p.title,
          ),
        ),
      ),
    ),
  );
  const header = h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'skip-link', href: '#main' }, 'Skip to content'),
    h('div', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'H'), 'Herald'),
    h(
      'div',
      { class: 'tenant', 'data-testid': 'tenant-name', title: session.tenant },
      session.tenant_name || session.tenant,
    ),
    h(
      'div',
      { class: 'account' },
      h('span', { class: 'signed-in', 'data-testid': 'signed-in-email' }, session.email),
      h('button', { type: 'button', class: 'button secondary', id: 'logout', onclick: onLogout }, 'Log out'),
    ),
  );
  root.append(header, h('div', { class: 'layout' }, nav, main));
  nav.addEventListener('click', (event) => {
    const link = event.target.closest('a[data-nav]');
    if (!link || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(link.getAttribute('data-nav'));
    document.getElementById('main')?.focus();
  });
  document.title = (page ? page.title : 'Not found') + ' · Herald admin';
  if (page) {
    Promise.resolve(page.render(main, { session, navigate })).catch((err) => {
      clear(main);
      main.append(h('h1', {}, page.title), errorBox(err));
    });
  } else {
    main.append(h('h1', {}, 'Not found'), h('p', {}, 'There is no page at this address.'));
  }
}

async function onLogout(event) {
  const button = event.currentTarget;
  button.disabled = true;
  try {
    await logout();
  } catch (err) {
    // A session that already ended is logged out all the same.
    if (!(err instanceof ApiError && err.status === 401)) {
      button.disabled = false;
      showFatal(err);
      return;
    }
  }
  session = null;
  navigate('/login', { replace: true });
}

function errorBox(err) {
  return h('p', { class: 'alert error', role: 'alert' }, err instanceof Error ? err.message : String(err));
}

function showFatal(err) {
  clear(root);
  root.append(h('div', { class: 'centered' }, h('h1', {}, 'Something went wrong'), errorBox(err)));
}

window.addEventListener('popstate', () => void render());
void render();
