// Webhook endpoints: the list (with each one's breaker and 24 h success rate when the health
// summary answers), register (secret shown once), edit, disable/enable, rotate, test, delete.
// /admin/webhooks/<id> is the endpoint's detail page.

import { api, ApiError } from '../api.js';
import { clear, h } from '../dom.js';
import { badge, busy, confirmDialog, errorBox, pageHeader, percent, secretDialog, table } from '../ui.js';
import { renderDetail, renderDeliverySummary } from './webhook-detail.js';
import { endpointDialog, rotateDialog, testDialog } from './webhook-forms.js';

export async function render(container, ctx) {
  const id = location.pathname.replace(/\/+$/, '').split('/')[3];
  if (id) return renderDetail(container, id, ctx);
  const list = h('div', { 'data-testid': 'webhooks-list' });
  const register = h(
    'button',
    { type: 'button', class: 'button primary', id: 'register-endpoint' },
    'Register endpoint',
  );
  container.append(
    pageHeader('Webhooks', register),
    h('p', { class: 'muted' }, 'Endpoints receive the events they subscribe to, signed with their secret.'),
    list,
  );
  const refresh = async () => {
    const [{ data }, health] = await Promise.all([api.get('/api/v1/webhooks?limit=100'), healthSummary()]);
    clear(list);
    list.append(endpointsTable(data, health, refresh, ctx));
  };
  register.addEventListener('click', async () => {
    const created = await endpointDialog();
    if (!created) return;
    await secretDialog(
      'Endpoint registered',
      'Signing secret',
      created.secret,
      'Your receiver checks each delivery’s signature with this secret.',
    );
    await refresh().catch((err) => list.replaceChildren(errorBox(err)));
  });
  await refresh();
}

/** The health summary by endpoint id, or null where the route is not there or not allowed. */
export async function healthSummary() {
  try {
    const { data } = await api.get('/api/v1/webhooks/health');
    return new Map(data.endpoints.map((e) => [e.id, e]));
  } catch (err) {
    if (err instanceof ApiError && [400, 404, 405].includes(err.status)) return null;
    throw err;
  }
}

export function endpointState(endpoint) {
  if (endpoint.active) return badge('Active', 'success');
  const reasons = {
    manual: 'Disabled',
    gone: 'Disabled: answered 410 Gone',
    consecutive_failures: 'Disabled: too many failures',
  };
  return badge(
    reasons[endpoint.disabled_reason] ?? 'Disabled',
    endpoint.disabled_reason === 'manual' ? 'neutral' : 'danger',
  );
}

export function breakerBadge(state) {
  if (!state) return h('span', { class: 'muted' }, '—');
  const tone = { closed: 'success', half_open: 'warning', open: 'danger' }[state.breaker] ?? 'neutral';
  return badge(state.breaker.replace('_', '-'), tone);
}

function endpointsTable(endpoints, health, refresh, ctx) {
  const columns = ['Endpoint', 'Events', 'State'];
  if (health) columns.push('Breaker', 'Success 24 h');
  columns.push('');
  return table(
    'Webhook endpoints',
    columns,
    endpoints,
    (ep) => {
      const stats = health?.get(ep.id);
      return h(
        'tr',
        { 'data-endpoint-id': ep.id },
        h(
          'td',
          {},
          h(
            'a',
            {
              href: '/admin/webhooks/' + ep.id,
              class: 'strong-link',
              onclick(event) {
                if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
                event.preventDefault();
                ctx.navigate('/webhooks/' + ep.id);
              },
            },
            ep.label || ep.url,
          ),
          h('div', { class: 'muted small url' }, ep.url),
        ),
        h(
          'td',
          { class: 'scopes' },
          ep.events.map((e) => h('code', { class: 'chip' }, e)),
        ),
        h('td', {}, endpointState(ep)),
        health ? h('td', {}, breakerBadge(stats)) : null,
        health ? h('td', { class: 'num' }, percent(stats?.success_rate_24h)) : null,
        h('td', { class: 'row-actions' }, endpointActions(ep, refresh)),
      );
    },
    'No endpoints yet. Register one to start receiving events.',
    { 'data-testid': 'webhooks-table' },
  );
}

/** The buttons of one endpoint; `after` runs once something changed. */
export function endpointActions(ep, after, { onDeleted } = {}) {
  const fail = (button, err) => {
    button.parentElement?.querySelector('.alert')?.remove();
    button.parentElement?.append(errorBox(err));
  };
  // Whatever goes wrong after a click (a refresh that fails too) shows beside the button.
  const small = (text, onclick, cls = 'secondary') => {
    const button = h('button', { type: 'button', class: 'button small ' + cls }, text);
    button.addEventListener('click', (event) => {
      Promise.resolve(onclick(event)).catch((err) => fail(button, err));
    });
    return button;
  };
  return [
    small('Test', () => testDialog(ep, renderDeliverySummary).then(() => after())),
    small('Edit', async () => {
      if (await endpointDialog(ep)) await after();
    }),
    small(ep.active ? 'Disable' : 'Enable', async (event) => {
      const button = event.currentTarget;
      if (ep.active) {
        const ok = await confirmDialog(
          'Disable this endpoint?',
          'No events are sent to ' + ep.url + ' while it is disabled; pending deliveries are cancelled.',
          { confirmLabel: 'Disable endpoint' },
        );
        if (!ok) return;
      }
      try {
        await busy(button, 'Saving…', () => api.patch('/api/v1/webhooks/' + ep.id, { active: !ep.active }));
        await after();
      } catch (err) {
        fail(button, err);
      }
    }),
    small('Rotate secret', async () => {
      const rotated = await rotateDialog(ep);
      if (!rotated) return;
      await secretDialog(
        'New signing secret',
        'Signing secret',
        rotated.secret,
        rotated.previous_secret_expires_at
          ? 'The previous secret keeps signing (v1_prev) until ' +
              new Date(rotated.previous_secret_expires_at).toLocaleString() +
              '.'
          : 'The previous secret no longer signs.',
      );
      await after();
    }),
    small(
      'Delete',
      async (event) => {
        const button = event.currentTarget;
        const ok = await confirmDialog(
          'Delete this endpoint?',
          ep.url + ' will receive nothing more. This cannot be undone.',
          { confirmLabel: 'Delete endpoint' },
        );
        if (!ok) return;
        try {
          await busy(button, 'Deleting…', () => api.del('/api/v1/webhooks/' + ep.id));
          if (onDeleted) onDeleted();
          else await after();
        } catch (err) {
          fail(button, err);
        }
      },
      'danger',
    ),
  ];
}
