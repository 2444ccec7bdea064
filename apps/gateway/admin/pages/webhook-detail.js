// One endpoint: its state, breaker and 24 h success rate, and its delivery log filtered by
// status. Each delivery opens to its payload, every attempt (status, latency, response
// excerpt, error, the request headers and signature as sent) and a replay button.

import { api, ApiError } from '../api.js';
import { clear, formatTime, h } from '../dom.js';
import { badge, busy, errorBox, percent, table, time } from '../ui.js';
import { breakerBadge, endpointActions, endpointState } from './webhooks.js';

const STATUSES = ['pending', 'retrying', 'succeeded', 'dead', 'cancelled'];
const TONES = {
  pending: 'info',
  retrying: 'warning',
  succeeded: 'success',
  dead: 'danger',
  cancelled: 'neutral',
};

export const statusBadge = (status) =>
  h('span', { class: 'badge ' + TONES[status], 'data-status': status }, status);

export async function renderDetail(container, id, { navigate }) {
  const head = h('div');
  const log = h('div', { 'data-testid': 'deliveries' });
  const filter = h(
    'select',
    { id: 'delivery-status' },
    h('option', { value: '' }, 'All statuses'),
    STATUSES.map((s) => h('option', { value: s }, s)),
  );
  const refreshButton = h('button', { type: 'button', class: 'button secondary small' }, 'Refresh');
  container.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: '/admin/webhooks', 'data-back': '' }, '← Webhooks')),
    head,
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'deliveries-title' },
      h(
        'div',
        { class: 'section-header' },
        h('h2', { id: 'deliveries-title' }, 'Deliveries'),
        h(
          'div',
          { class: 'inline-field' },
          h('label', { for: 'delivery-status' }, 'Status'),
          filter,
          refreshButton,
        ),
      ),
      log,
    ),
  );
  container.querySelector('[data-back]').addEventListener('click', (event) => {
    event.preventDefault();
    navigate('/webhooks');
  });

  const loadHead = async () => {
    const [{ data: ep }, stats] = await Promise.all([api.get('/api/v1/webhooks/' + id), endpointStats(id)]);
    clear(head);
    head.append(
      h(
        'div',
        { class: 'page-header' },
        h('h1', {}, ep.label || 'Endpoint'),
        h(
          'div',
          { class: 'page-actions' },
          endpointActions(ep, loadAll, { onDeleted: () => navigate('/webhooks') }),
        ),
      ),
      h(
        'dl',
        { class: 'facts' },
        fact('URL', h('code', {}, ep.url)),
        fact('ID', h('code', {}, ep.id)),
        fact('State', endpointState(ep)),
        fact(
          'Events',
          ep.events.map((e) => h('code', { class: 'chip' }, e)),
        ),
        fact(
          'Filters',
          Object.keys(ep.filters ?? {}).length
            ? h('code', {}, JSON.stringify(ep.filters))
            : h('span', { class: 'muted' }, 'none'),
        ),
        fact('Signing', h('code', {}, ep.signing_scheme)),
        ep.previous_secret_expires_at
          ? fact('Previous secret', 'signs as v1_prev until ' + formatTime(ep.previous_secret_expires_at))
          : null,
        stats ? fact('Breaker', h('span', { 'data-testid': 'breaker' }, breakerBadge(stats))) : null,
        stats
          ? fact(
              'Success 24 h',
              h('span', { 'data-testid': 'success-rate' }, percent(stats.success_rate_24h)),
            )
          : null,
        stats ? fact('Dead in a row', String(stats.consecutive_failures)) : null,
      ),
    );
  };
  const loadLog = async () => {
    const { data } = await api.get(
      '/api/v1/webhooks/' +
        id +
        '/deliveries?order=desc&limit=50' +
        (filter.value ? '&status=' + filter.value : ''),
    );
    clear(log);
    log.append(deliveriesTable(data, loadLog));
  };
  const loadAll = async () => {
    await Promise.all([loadHead(), loadLog()]);
  };
  filter.addEventListener('change', () => void loadLog().catch((err) => log.replaceChildren(errorBox(err))));
  refreshButton.addEventListener(
    'click',
    () => void loadAll().catch((err) => log.replaceChildren(errorBox(err))),
  );
  await loadAll();
}

async function endpointStats(id) {
  try {
    return (await api.get('/api/v1/webhooks/' + id + '/stats')).data;
  } catch (err) {
    // Older gateways have no stats route: the page works without it.
    if (err instanceof ApiError && [404, 405].includes(err.status)) return null;
    throw err;
  }
}

const fact = (term, value) => h('div', { class: 'fact' }, h('dt', {}, term), h('dd', {}, value));

function deliveriesTable(deliveries, reload) {
  return table(
    'Deliveries',
    ['Delivery', 'Event', 'Status', 'Attempts', 'Created', 'Next attempt', ''],
    deliveries,
    (d) => {
      const detailRow = h('tr', { class: 'detail-row', hidden: true }, h('td', { colspan: '7' }));
      const toggle = h(
        'button',
        { type: 'button', class: 'button secondary small', 'aria-expanded': 'false' },
        'Details',
      );
      toggle.addEventListener('click', () => {
        const open = toggle.getAttribute('aria-expanded') === 'true';
        toggle.setAttribute('aria-expanded', String(!open));
        detailRow.hidden = open;
        if (!open && !detailRow.firstChild.firstChild) detailRow.firstChild.append(deliveryDetail(d, reload));
      });
      const row = h(
        'tr',
        { 'data-delivery-id': d.id, 'data-event-id': d.event_id },
        h('td', {}, h('code', {}, d.id)),
        h('td', {}, h('code', {}, d.event_type), h('div', { class: 'muted small' }, d.event_id)),
        h('td', {}, statusBadge(d.status)),
        h('td', { class: 'num' }, d.attempt_count + ' of ' + d.max_attempts),
        h('td', {}, time(d.created_at)),
        h('td', {}, time(d.next_attempt_at)),
        h('td', { class: 'row-actions' }, toggle, replayButton(d, reload)),
      );
      return [row, detailRow];
    },
    'No deliveries here yet.',
    { 'data-testid': 'deliveries-table' },
  );
}

function replayButton(d, after) {
  const button = h('button', { type: 'button', class: 'button secondary small' }, 'Replay');
  button.addEventListener('click', async () => {
    button.parentElement.querySelector('.alert')?.remove();
    try {
      await busy(button, 'Replaying…', () => api.post('/api/v1/webhooks/deliveries/' + d.id + '/replay'));
      await after();
    } catch (err) {
      button.parentElement.append(errorBox(err));
    }
  });
  return button;
}

/** A delivery's payload (the exact body it sends, as its signatures cover it) and attempts. */
function deliveryDetail(d) {
  const payload = h('pre', { class: 'code', 'data-testid': 'payload' }, 'Loading…');
  api
    .get('/api/v1/webhooks/deliveries/' + encodeURIComponent(d.id) + '/payload')
    .then(({ data }) => (payload.textContent = prettyJson(data.payload)))
    .catch((err) => (payload.textContent = err.message));
  return h(
    'div',
    { class: 'delivery-detail' },
    h('h3', {}, 'Payload'),
    payload,
    h('h3', {}, 'Attempts'),
    d.attempts.length === 0
      ? h(
          'p',
          { class: 'empty' },
          'Not attempted yet.' + (d.next_attempt_at ? ' Due ' + formatTime(d.next_attempt_at) + '.' : ''),
        )
      : h(
          'ol',
          { class: 'attempts' },
          d.attempts.map((a) => attemptItem(a, d)),
        ),
  );
}

function attemptItem(a, d) {
  const ok = a.status_code !== null && a.status_code >= 200 && a.status_code < 300;
  const signature = Object.entries(a.request_headers ?? {}).filter(([k]) => /signature/i.test(k));
  return h(
    'li',
    { class: 'attempt', 'data-attempt': String(a.n) },
    h(
      'div',
      { class: 'attempt-head' },
      h('strong', {}, 'Attempt ' + a.n + ' of ' + d.max_attempts),
      badge(a.status_code === null ? 'no answer' : 'HTTP ' + a.status_code, ok ? 'success' : 'danger'),
      h('span', { class: 'muted' }, a.latency_ms + ' ms'),
      time(a.at),
    ),
    a.error ? h('p', { class: 'alert error compact' }, a.error) : null,
    signature.length
      ? h(
          'p',
          { class: 'signature' },
          signature.map(([k, v]) => [
            h('span', { class: 'muted' }, k + ': '),
            h('code', { 'data-testid': 'signature' }, v),
          ]),
        )
      : null,
    h(
      'details',
      {},
      h('summary', {}, 'Request headers'),
      h(
        'table',
        { class: 'table compact headers' },
        h(
          'tbody',
          {},
          Object.entries(a.request_headers ?? {}).map(([k, v]) =>
            h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, h('code', {}, v))),
          ),
        ),
      ),
    ),
    h(
      'details',
      {},
      h('summary', {}, 'Response body'),
      h('pre', { class: 'code' }, a.response_body ?? '(none)'),
    ),
  );
}

/** A delivery in one block (used after a test event): status, attempts, next attempt. */
export function renderDeliverySummary(d) {
  const last = d.attempts[d.attempts.length - 1];
  return h(
    'div',
    { class: 'delivery-summary', 'data-delivery-id': d.id },
    h(
      'p',
      {},
      'Delivery ',
      h('code', {}, d.id),
      ' ',
      statusBadge(d.status),
      ' attempt ' + d.attempt_count + ' of ' + d.max_attempts,
      d.next_attempt_at ? ', next at ' + formatTime(d.next_attempt_at) : '',
    ),
    last
      ? h('ol', { class: 'attempts' }, attemptItem(last, d))
      : h('p', { class: 'muted' }, 'Not attempted yet…'),
  );
}

/** The body as sent, indented for reading when it is JSON (it always is), else as it is. */
function prettyJson(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
