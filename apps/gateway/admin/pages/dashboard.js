// The dashboard: the webhook health card (coloured by the API's green/amber/red status),
// then who is signed in to which tenant, and until when.

import { api, ApiError } from '../api.js';
import { formatDuration, formatTime, h } from '../dom.js';
import { errorBox, percent } from '../ui.js';

const STATUS_TEXT = { green: 'Healthy', amber: 'Degraded', red: 'Failing' };

export async function render(container, { session }) {
  const health = h('div', { class: 'health-slot' });
  container.append(
    h('h1', {}, 'Dashboard'),
    health,
    h(
      'section',
      { class: 'cards' },
      card('Tenant', session.tenant_name || session.tenant, 'Host: ' + location.host),
      card('Signed in as', session.email, 'Administrator'),
      card(
        'Session',
        'Ends ' + formatTime(session.expires_at),
        'Logged out after ' + formatDuration(session.idle_timeout_seconds) + ' without activity',
      ),
    ),
  );
  try {
    const { data } = await api.get('/api/v1/webhooks/health');
    health.append(healthCard(data));
  } catch (err) {
    // A gateway without the health route shows the rest of the dashboard.
    if (!(err instanceof ApiError && [404, 405].includes(err.status))) health.append(errorBox(err));
  }
}

function healthCard(hc) {
  const figure = (label, value, testid) =>
    h('div', { class: 'figure' }, h('dt', {}, label), h('dd', { 'data-testid': testid }, value));
  return h(
    'section',
    {
      class: 'card health ' + hc.status,
      'data-testid': 'health-card',
      'data-status': hc.status,
      'aria-labelledby': 'health-title',
    },
    h(
      'div',
      { class: 'health-head' },
      h('h2', { id: 'health-title', class: 'stat-label' }, 'Webhook health'),
      h(
        'span',
        { class: 'health-status', 'data-testid': 'health-status' },
        STATUS_TEXT[hc.status] ?? hc.status,
      ),
    ),
    h(
      'dl',
      { class: 'figures' },
      figure('Success rate, 24 h', percent(hc.success_rate_24h), 'health-success-rate'),
      figure(
        'Oldest pending',
        hc.oldest_pending_age_seconds === null ? 'none' : formatDuration(hc.oldest_pending_age_seconds),
        'health-oldest-pending',
      ),
      figure('Dead endpoints', String(hc.dead_endpoints), 'health-dead-endpoints'),
      figure(
        'Deliveries, 24 h',
        hc.deliveries_24h.succeeded +
          ' ok · ' +
          hc.deliveries_24h.failed +
          ' retrying · ' +
          hc.deliveries_24h.dead +
          ' dead',
        'health-deliveries',
      ),
    ),
  );
}

function card(label, value, note) {
  return h(
    'article',
    { class: 'card stat' },
    h('h2', { class: 'stat-label' }, label),
    h('p', { class: 'stat-value', 'data-testid': 'card-' + label.toLowerCase().replace(/\s+/g, '-') }, value),
    h('p', { class: 'muted' }, note),
  );
}
