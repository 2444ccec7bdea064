// The dashboard: who is signed in to which tenant, and until when.

import { formatDuration, formatTime, h } from '../dom.js';

export function render(container, { session }) {
  container.append(
    h('h1', {}, 'Dashboard'),
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
