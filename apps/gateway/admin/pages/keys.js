// API keys of the tenant: the list with the last 24 h of use, create (the plaintext key shown
// once), revoke after a confirmation, and a key's hourly usage as bars.

import { api } from '../api.js';
import { clear, formatTime, h } from '../dom.js';
import {
  badge,
  busy,
  confirmDialog,
  errorBox,
  field,
  formError,
  openDialog,
  pageHeader,
  secretDialog,
  table,
  time,
} from '../ui.js';

export const SCOPE_TEXT = Object.fromEntries([
  ['events:read', 'Read events'],
  ['users:read', 'Read users'],
  ['posts:read', 'Read posts'],
  ['webhooks:read', 'Read webhooks and deliveries'],
  ['webhooks:manage', 'Manage webhooks'],
  ['keys:read', 'Read API keys'],
  ['keys:manage', 'Manage API keys'],
  ['settings:read', 'Read tenant settings'],
  ['settings:manage', 'Change tenant settings'],
  ['audit:read', 'Read the audit log'],
]);

let scopes;

/** The scopes a key may get, from the API document (the known ones when it does not answer). */
export function scopeCatalogue() {
  scopes ??= fetch('/api/openapi.json', { credentials: 'same-origin' })
    .then((res) => (res.ok ? res.json() : null))
    .then((doc) => doc?.components?.schemas?.CreateApiKeyRequestDto?.properties?.scopes?.items?.enum)
    .catch(() => undefined)
    .then((list) => (Array.isArray(list) && list.length > 0 ? list : Object.keys(SCOPE_TEXT).slice(0, 7)));
  return scopes;
}

export async function render(container) {
  const list = h('div', { 'data-testid': 'keys-list' });
  const create = h('button', { type: 'button', class: 'button primary', id: 'create-key' }, 'Create key');
  container.append(
    pageHeader('API keys', create),
    h(
      'p',
      { class: 'muted' },
      'Keys authenticate calls to the public API of this tenant. A key is shown once, when it is created.',
    ),
    list,
  );
  const refresh = async () => {
    const { data } = await api.get('/api/v1/keys?limit=100&order=desc');
    clear(list);
    list.append(keysTable(data, refresh));
  };
  create.addEventListener('click', async () => {
    const known = await scopeCatalogue();
    const created = await openDialog('Create an API key', (close) => createForm(close, known));
    if (!created) return;
    await secretDialog(
      'Your new API key',
      'API key',
      created.key,
      'Send it as "Authorization: Bearer <key>". Only its prefix ' + created.prefix + ' stays visible here.',
    );
    await refresh().catch((err) => list.replaceChildren(errorBox(err)));
  });
  await refresh();
}

function status(key) {
  if (key.revoked_at) return badge('Revoked', 'danger');
  if (key.expires_at && new Date(key.expires_at).getTime() <= Date.now()) return badge('Expired', 'warning');
  return badge('Active', 'success');
}

function keysTable(keys, refresh) {
  return table(
    'API keys',
    [
      'Label',
      'Prefix',
      'Mode',
      'Scopes',
      'Created',
      'Last used',
      'Requests 24 h',
      'Errors 24 h',
      'Status',
      '',
    ],
    keys,
    (key) => {
      const usage = usageButton(key.label ?? key.prefix, '/api/v1/keys/' + key.id + '/usage');
      const revoke = key.revoked_at
        ? null
        : h(
            'button',
            {
              type: 'button',
              class: 'button danger small',
              async onclick(event) {
                const ok = await confirmDialog(
                  'Revoke this key?',
                  'Requests with "' +
                    (key.label ?? key.prefix) +
                    '" (' +
                    key.prefix +
                    '…) will be refused at once. This cannot be undone.',
                  { confirmLabel: 'Revoke key' },
                );
                if (!ok) return;
                const button = event.target;
                try {
                  await busy(button, 'Revoking…', () => api.post('/api/v1/keys/' + key.id + '/revoke'));
                  await refresh();
                } catch (err) {
                  button.after(errorBox(err));
                }
              },
            },
            'Revoke',
          );
      return h(
        'tr',
        { 'data-key-id': key.id },
        h('td', {}, key.label ?? h('span', { class: 'muted' }, '—')),
        h('td', {}, h('code', { 'data-testid': 'key-prefix' }, key.prefix + '…')),
        h('td', {}, badge(key.mode, key.mode === 'live' ? 'info' : 'neutral')),
        h(
          'td',
          { class: 'scopes' },
          key.scopes.map((s) => h('code', { class: 'chip' }, s)),
        ),
        h('td', {}, time(key.created_at)),
        h('td', {}, time(key.last_used_at)),
        h('td', { class: 'num' }, String(key.usage_24h.requests)),
        h('td', { class: 'num' }, String(key.usage_24h.errors)),
        h('td', {}, status(key)),
        h('td', { class: 'row-actions' }, usage, revoke),
      );
    },
    'No API keys yet. Create one to call the API.',
    { 'data-testid': 'keys-table' },
  );
}

function createForm(close, known) {
  const error = formError();
  const label = h('input', { name: 'label', required: true, maxlength: '100', autocomplete: 'off' });
  const mode = h(
    'select',
    { name: 'mode' },
    h('option', { value: 'live' }, 'Live (mc_live_…)'),
    h('option', { value: 'test' }, 'Test (mc_test_…)'),
  );
  const expires = h('input', { name: 'expires_at', type: 'datetime-local' });
  const rate = h('input', {
    name: 'rate_limit_per_minute',
    type: 'number',
    min: '1',
    step: '1',
    inputmode: 'numeric',
  });
  const quota = h('input', {
    name: 'daily_quota',
    type: 'number',
    min: '1',
    step: '1',
    inputmode: 'numeric',
  });
  const boxes = known.map((scope) =>
    h(
      'label',
      { class: 'check' },
      h('input', {
        type: 'checkbox',
        name: 'scopes',
        value: scope,
        checked: scope.endsWith(':read') && !scope.startsWith('keys'),
      }),
      h('code', {}, scope),
      h('span', { class: 'muted' }, SCOPE_TEXT[scope] ?? ''),
    ),
  );
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Create key');
  const form = h(
    'form',
    {
      novalidate: true,
      async onsubmit(event) {
        event.preventDefault();
        const scopes = boxes
          .map((b) => b.querySelector('input'))
          .filter((i) => i.checked)
          .map((i) => i.value);
        const body = { label: label.value.trim(), mode: mode.value, scopes };
        if (expires.value) body.expires_at = new Date(expires.value).toISOString();
        if (rate.value) body.rate_limit_per_minute = Number(rate.value);
        if (quota.value) body.daily_quota = Number(quota.value);
        try {
          const { data } = await busy(submit, 'Creating…', () => api.post('/api/v1/keys', body));
          close(data);
        } catch (err) {
          error.show(err, form);
        }
      },
    },
    field('Label', label, 'A name to recognise the key by, e.g. "forum sync".'),
    h(
      'fieldset',
      { class: 'field' },
      h('legend', {}, 'Scopes'),
      h('div', { class: 'checks', name: 'scopes', id: 'scopes-group', tabindex: '-1' }, boxes),
      h('p', { class: 'field-problem', id: 'scopes-group-problem', hidden: true }),
    ),
    h('div', { class: 'grid-2' }, field('Mode', mode), field('Expires', expires, 'Optional; local time.')),
    h(
      'div',
      { class: 'grid-2' },
      field('Rate limit per minute', rate, "Optional; the tenant's default otherwise."),
      field('Daily quota', quota, "Optional; the tenant's default otherwise."),
    ),
    error.el,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'button secondary', onclick: () => close() }, 'Cancel'),
      submit,
    ),
  );
  return form;
}

/** A "Usage" button that opens the 24 hourly usage bars of a key or an OAuth client, from its `/usage` route. */
export function usageButton(name, path) {
  return h(
    'button',
    {
      type: 'button',
      class: 'button secondary small',
      onclick: () => void usageDialog('Usage of ' + name + ' over 24 h', path),
    },
    'Usage',
  );
}

async function usageDialog(title, path) {
  await openDialog(
    title,
    (close) => {
      const body = h(
        'div',
        { class: 'usage', 'data-testid': 'usage' },
        h('p', { class: 'muted' }, 'Loading…'),
      );
      api
        .get(path)
        .then(({ data }) => {
          clear(body);
          body.append(usageBars(data));
        })
        .catch((err) => body.replaceChildren(errorBox(err)));
      return h(
        'div',
        {},
        body,
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', class: 'button primary', onclick: () => close() }, 'Close'),
        ),
      );
    },
    { wide: true },
  );
}

const plural = (n, word) => n + ' ' + word + (n === 1 ? '' : 's');

export function usageBars(usage) {
  const max = Math.max(1, ...usage.buckets.map((b) => b.requests));
  // Heights through the CSSOM: the CSP forbids style attributes, not style properties.
  const bar = (cls, n) => {
    const el = h('span', { class: cls });
    el.style.height = ((n / max) * 100).toFixed(1) + '%';
    return el;
  };
  return h(
    'div',
    {},
    h(
      'p',
      { 'data-testid': 'usage-totals' },
      h('strong', {}, plural(usage.totals.requests, 'request')),
      ', ',
      h('strong', {}, plural(usage.totals.errors, 'error')),
      ' in the last 24 hours. Last seen: ',
      usage.last_seen_at ? formatTime(usage.last_seen_at) : 'never',
      '.',
    ),
    h(
      'ol',
      { class: 'bars', 'aria-label': 'Requests per hour, oldest first' },
      usage.buckets.map((b) => {
        const hour = new Date(b.hour);
        const label = hour.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
        return h(
          'li',
          { class: 'bar', title: label + ': ' + b.requests + ' requests, ' + b.errors + ' errors' },
          h('span', { class: 'bar-track' }, bar('bar-fill', b.requests), bar('bar-errors', b.errors)),
          h('span', { class: 'bar-label' }, label.slice(0, 2)),
          h(
            'span',
            { class: 'visually-hidden' },
            label + ': ' + b.requests + ' requests, ' + b.errors + ' errors',
          ),
        );
      }),
    ),
    h(
      'p',
      { class: 'legend muted' },
      h('span', { class: 'swatch ok' }),
      'requests ',
      h('span', { class: 'swatch err' }),
      'errors',
    ),
  );
}
