// OAuth clients of the tenant: the list with the last 24 h of use of their tokens, create
// (the client secret shown once), revoke after a confirmation, and a client's hourly usage.

import { api } from '../api.js';
import { clear, h } from '../dom.js';
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
import { SCOPE_TEXT, scopeCatalogue, usageButton } from './keys.js';

export async function render(container) {
  const list = h('div', { 'data-testid': 'clients-list' });
  const create = h(
    'button',
    { type: 'button', class: 'button primary', id: 'create-client' },
    'Create client',
  );
  container.append(
    pageHeader('OAuth clients', create),
    h(
      'p',
      { class: 'muted' },
      'A client trades its id and secret for short-lived access tokens at POST /oauth/token. ' +
        'The secret is shown once, when the client is created.',
    ),
    list,
  );
  const refresh = async () => {
    const { data } = await api.get('/api/v1/clients?limit=100&order=desc');
    clear(list);
    list.append(clientsTable(data, refresh));
  };
  create.addEventListener('click', async () => {
    const known = await scopeCatalogue();
    const created = await openDialog('Create an OAuth client', (close) => createForm(close, known));
    if (!created) return;
    await secretDialog(
      'Your new OAuth client',
      'Client secret',
      created.client_secret,
      'Client ID: ' +
        created.client_id +
        '. Send both to POST /oauth/token (HTTP Basic, or client_id and client_secret in the form). ' +
        'Only the prefix ' +
        created.secret_prefix +
        ' stays visible here.',
    );
    await refresh().catch((err) => list.replaceChildren(errorBox(err)));
  });
  await refresh();
}

function clientsTable(clients, refresh) {
  return table(
    'OAuth clients',
    [
      'Label',
      'Client ID',
      'Secret',
      'Scopes',
      'Created',
      'Last used',
      'Requests 24 h',
      'Errors 24 h',
      'Status',
      '',
    ],
    clients,
    (client) => {
      const name = client.label ?? client.id;
      const usage = usageButton(name, '/api/v1/clients/' + client.id + '/usage');
      const revoke = client.revoked_at
        ? null
        : h(
            'button',
            {
              type: 'button',
              class: 'button danger small',
              async onclick(event) {
                const ok = await confirmDialog(
                  'Revoke this client?',
                  'Its access tokens stop working at once, and "' +
                    name +
                    '" can get no new ones. This cannot be undone.',
                  { confirmLabel: 'Revoke client' },
                );
                if (!ok) return;
                const button = event.target;
                try {
                  await busy(button, 'Revoking…', () => api.post('/api/v1/clients/' + client.id + '/revoke'));
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
        { 'data-client-id': client.id },
        h('td', {}, client.label ?? h('span', { class: 'muted' }, '—')),
        h('td', {}, h('code', {}, client.id)),
        h('td', {}, h('code', { 'data-testid': 'secret-prefix' }, client.secret_prefix + '…')),
        h(
          'td',
          { class: 'scopes' },
          client.scopes.map((s) => h('code', { class: 'chip' }, s)),
        ),
        h('td', {}, time(client.created_at)),
        h('td', {}, time(client.last_used_at)),
        h('td', { class: 'num' }, String(client.usage_24h.requests)),
        h('td', { class: 'num' }, String(client.usage_24h.errors)),
        h('td', {}, client.revoked_at ? badge('Revoked', 'danger') : badge('Active', 'success')),
        h('td', { class: 'row-actions' }, usage, revoke),
      );
    },
    'No OAuth clients yet. Create one for a service to get access tokens.',
    { 'data-testid': 'clients-table' },
  );
}

function createForm(close, known) {
  const error = formError();
  const label = h('input', { name: 'label', required: true, maxlength: '100', autocomplete: 'off' });
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
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Create client');
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
        try {
          const { data } = await busy(submit, 'Creating…', () =>
            api.post('/api/v1/clients', { label: label.value.trim(), scopes }),
          );
          close(data);
        } catch (err) {
          error.show(err, form);
        }
      },
    },
    field('Label', label, 'A name to recognise the client by, e.g. "nightly export".'),
    h(
      'fieldset',
      { class: 'field' },
      h('legend', {}, 'Scopes'),
      h('div', { class: 'checks', name: 'scopes', id: 'scopes-group', tabindex: '-1' }, boxes),
      h('p', { class: 'field-problem', id: 'scopes-group-problem', hidden: true }),
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
