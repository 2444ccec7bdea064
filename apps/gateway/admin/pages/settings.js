// Tenant settings: retry schedule, attempt timeout, auto-disable threshold and the default
// limits of API keys. Saved in one PATCH: the API takes all of it or none.

import { api } from '../api.js';
import { h } from '../dom.js';
import { busy, field, formError, pageHeader, time } from '../ui.js';

export async function render(container) {
  const { data } = await api.get('/api/v1/settings');
  const error = formError();
  const saved = h('p', { class: 'alert success', role: 'status', hidden: true });
  const schedule = h('input', {
    name: 'retry_schedule',
    value: data.retry_schedule.join(', '),
    autocomplete: 'off',
  });
  const timeout = h('input', {
    name: 'attempt_timeout_ms',
    type: 'number',
    min: '100',
    max: '60000',
    value: String(data.attempt_timeout_ms),
  });
  const threshold = h('input', {
    name: 'auto_disable_threshold',
    type: 'number',
    min: '1',
    max: '1000',
    value: String(data.auto_disable_threshold),
  });
  const rate = h('input', {
    name: 'default_rate_limit_per_minute',
    type: 'number',
    min: '1',
    value: String(data.default_rate_limit_per_minute),
  });
  const quota = h('input', {
    name: 'default_daily_quota',
    type: 'number',
    min: '1',
    value: data.default_daily_quota === null ? '' : String(data.default_daily_quota),
  });
  const updated = h('p', { class: 'muted' }, 'Last changed ', time(data.updated_at));
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Save settings');
  const num = (input) => (input.value.trim() === '' ? NaN : Number(input.value));

  const form = h(
    'form',
    {
      class: 'card narrow',
      novalidate: true,
      async onsubmit(event) {
        event.preventDefault();
        saved.hidden = true;
        error.hide(form);
        const body = {
          retry_schedule: schedule.value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
          attempt_timeout_ms: num(timeout),
          auto_disable_threshold: num(threshold),
          default_rate_limit_per_minute: num(rate),
          default_daily_quota: quota.value.trim() === '' ? null : num(quota),
        };
        // Empty numbers go as they are typed (null) so the API names the field.
        for (const k of Object.keys(body)) if (Number.isNaN(body[k])) body[k] = null;
        try {
          const { data: next } = await busy(submit, 'Saving…', () => api.patch('/api/v1/settings', body));
          schedule.value = next.retry_schedule.join(', ');
          updated.replaceChildren('Last changed ', time(next.updated_at));
          saved.textContent = 'Settings saved.';
          saved.hidden = false;
        } catch (err) {
          error.show(err, form);
        }
      },
    },
    field(
      'Retry schedule',
      schedule,
      'The delay before each attempt, comma-separated, with units: 0, 30s, 5m, 2h, 1d. ' +
        (data.retry_schedule_is_default ? 'Currently the deployment default.' : ''),
    ),
    h(
      'div',
      { class: 'grid-2' },
      field('Attempt timeout (ms)', timeout, '100–60000'),
      field('Auto-disable after dead deliveries in a row', threshold, '1–1000'),
      field('Default rate limit per minute', rate, 'For keys without their own.'),
      field('Default daily quota', quota, 'Empty: no quota.'),
    ),
    error.el,
    saved,
    h('div', { class: 'actions start' }, submit),
    updated,
  );
  container.append(pageHeader('Settings'), form);
}
