// The tenant's audit log, newest first: filters (action, actor, since/until) and "Load more".

import { api } from '../api.js';
import { clear, h } from '../dom.js';
import { busy, errorBox, field, formError, pageHeader, query, table, time } from '../ui.js';

export async function render(container) {
  const error = formError();
  const action = h('input', {
    name: 'action',
    placeholder: 'api_key.created or webhook_endpoint.*',
    autocomplete: 'off',
  });
  const actor = h('input', { name: 'actor', placeholder: 'admin:ops@example.com', autocomplete: 'off' });
  const since = h('input', { name: 'since', type: 'datetime-local' });
  const until = h('input', { name: 'until', type: 'datetime-local' });
  const apply = h('button', { type: 'submit', class: 'button primary' }, 'Apply filters');
  const results = h('div', { 'data-testid': 'audit-results' });
  const more = h(
    'button',
    { type: 'button', class: 'button secondary', id: 'load-more', hidden: true },
    'Load more',
  );
  let rows = [];
  let cursor = null;
  let filters = {};

  const iso = (input) => (input.value ? new Date(input.value).toISOString() : undefined);
  const load = async (reset) => {
    const { data, meta } = await api.get(
      '/api/v1/audit-log' + query({ ...filters, limit: 50, cursor: reset ? undefined : cursor }),
    );
    rows = reset ? data : rows.concat(data);
    cursor = meta.next_cursor ?? null;
    more.hidden = !meta.has_more;
    clear(results);
    results.append(auditTable(rows));
    // Which action filter the rows shown answer (for tests and anything waiting on the page).
    results.setAttribute('data-action', filters.action ?? '');
  };

  const form = h(
    'form',
    {
      class: 'filters',
      novalidate: true,
      async onsubmit(event) {
        event.preventDefault();
        error.hide(form);
        filters = {
          action: action.value.trim(),
          actor: actor.value.trim(),
          since: iso(since),
          until: iso(until),
        };
        try {
          await busy(apply, 'Loading…', () => load(true));
        } catch (err) {
          error.show(err, form);
        }
      },
    },
    h(
      'div',
      { class: 'grid-4' },
      field('Action', action),
      field('Actor', actor),
      field('Since', since),
      field('Until', until),
    ),
    error.el,
    h('div', { class: 'actions start' }, apply),
  );
  more.addEventListener('click', async () => {
    try {
      await busy(more, 'Loading…', () => load(false));
    } catch (err) {
      more.after(errorBox(err));
    }
  });
  container.append(
    pageHeader('Audit log'),
    h('section', { class: 'card filters-card', 'aria-label': 'Filters' }, form),
    results,
    h('div', { class: 'actions start' }, more),
  );
  await load(true);
}

function auditTable(rows) {
  return table(
    'Audit log',
    ['When', 'Actor', 'Action', 'Target', 'Details'],
    rows,
    (r) =>
      h(
        'tr',
        { 'data-audit-id': r.id },
        h('td', {}, time(r.at)),
        h('td', {}, h('code', {}, r.actor)),
        h('td', {}, h('code', {}, r.action)),
        h('td', {}, h('span', { class: 'muted' }, r.target_type + ' '), h('code', {}, r.target_id)),
        h(
          'td',
          {},
          Object.keys(r.details ?? {}).length
            ? h('code', { class: 'details' }, JSON.stringify(r.details))
            : '',
        ),
      ),
    'No entries match these filters.',
    { 'data-testid': 'audit-table' },
  );
}
