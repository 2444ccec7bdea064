// The webhook endpoint dialogs: register/edit (URL, label, events picker, payload filters,
// signing scheme), rotate the secret with a grace window, and send a test event.

import { api } from '../api.js';
import { clear, h } from '../dom.js';
import { busy, field, formError, openDialog, uid } from '../ui.js';

export const SIGNING_SCHEMES = [
  ['mobieus-v1', 'mobieus-v1 (HMAC-SHA256, default)'],
  ['mobieus-v1-sha512', 'mobieus-v1-sha512 (HMAC-SHA512)'],
  ['standard-webhooks', 'standard-webhooks (HMAC-SHA256)'],
  ['standard-webhooks-ed25519', 'standard-webhooks-ed25519 (Ed25519 signatures)'],
];

let catalogue;

/** Every pattern `events` accepts (`*`, each public type, each `prefix.*`), from the API document. */
export async function eventCatalogue() {
  if (!catalogue) {
    catalogue = fetch('/api/openapi.json', { credentials: 'same-origin' })
      .then((res) => (res.ok ? res.json() : null))
      .then((doc) => {
        const schema = doc?.components?.schemas?.CreateWebhookRequestDto;
        const list = schema?.properties?.events?.items?.enum;
        return Array.isArray(list) && list.length > 0 ? list : ['*'];
      })
      .catch(() => ['*']);
  }
  return catalogue;
}

/** Register (`endpoint` undefined) or edit. Resolves with the API's answer, or undefined. */
export async function endpointDialog(endpoint) {
  const patterns = await eventCatalogue();
  return openDialog(
    endpoint ? 'Edit endpoint' : 'Register an endpoint',
    (close) => endpointForm(endpoint, patterns, close),
    { wide: true },
  );
}

function endpointForm(endpoint, patterns, close) {
  const error = formError();
  const url = h('input', {
    name: 'url',
    type: 'url',
    required: true,
    placeholder: 'https://example.com/webhooks',
    value: endpoint?.url ?? '',
    readonly: endpoint ? true : undefined,
    autocomplete: 'off',
  });
  const label = h('input', {
    name: 'label',
    maxlength: '200',
    value: endpoint?.label ?? '',
    autocomplete: 'off',
  });
  const scheme = h(
    'select',
    { name: 'signing_scheme', disabled: endpoint ? true : undefined },
    SIGNING_SCHEMES.map(([v, text]) =>
      h('option', { value: v, selected: (endpoint?.signing_scheme ?? 'mobieus-v1') === v }, text),
    ),
  );
  const chosen = new Set(endpoint?.events ?? ['*']);
  const eventBoxes = patterns.map((p) =>
    h(
      'label',
      { class: p === '*' || p.endsWith('.*') ? 'check wildcard' : 'check' },
      h('input', { type: 'checkbox', value: p, checked: chosen.has(p) }),
      h('code', {}, p),
      p === '*' ? h('span', { class: 'muted' }, 'every event') : null,
    ),
  );
  const filterRows = h('div', { class: 'filter-rows' });
  const addFilter = (key = '', value = '') => {
    const k = h('input', {
      'aria-label': 'Filter path',
      placeholder: 'data.forum_slug',
      value: key,
      class: 'filter-key',
    });
    const v = h('input', {
      'aria-label': 'Required value',
      placeholder: 'general',
      value,
      class: 'filter-value',
    });
    const row = h(
      'div',
      { class: 'filter-row' },
      k,
      h('span', { 'aria-hidden': 'true' }, '='),
      v,
      h('button', { type: 'button', class: 'button secondary small', onclick: () => row.remove() }, 'Remove'),
    );
    filterRows.append(row);
    k.focus();
  };
  for (const [k, v] of Object.entries(endpoint?.filters ?? {})) addFilter(k, JSON.stringify(v));
  const submit = h(
    'button',
    { type: 'submit', class: 'button primary' },
    endpoint ? 'Save changes' : 'Register endpoint',
  );

  const readFilters = () => {
    const filters = {};
    for (const row of filterRows.querySelectorAll('.filter-row')) {
      const key = row.querySelector('.filter-key').value.trim();
      const raw = row.querySelector('.filter-value').value.trim();
      if (!key) continue;
      // A value that parses as JSON (42, true, null, "x") is taken as such; anything else is a string.
      let value = raw;
      try {
        const parsed = JSON.parse(raw);
        if (parsed === null || ['string', 'number', 'boolean'].includes(typeof parsed)) value = parsed;
      } catch {
        value = raw;
      }
      filters[key] = value;
    }
    return filters;
  };

  const eventsId = uid('events');
  const form = h(
    'form',
    {
      novalidate: true,
      async onsubmit(event) {
        event.preventDefault();
        const events = eventBoxes
          .map((b) => b.querySelector('input'))
          .filter((i) => i.checked)
          .map((i) => i.value);
        const body = { label: label.value.trim() || null, events, filters: readFilters() };
        if (!endpoint) {
          body.url = url.value.trim();
          body.signing_scheme = scheme.value;
        }
        try {
          const { data } = await busy(submit, 'Saving…', () =>
            endpoint
              ? api.patch('/api/v1/webhooks/' + endpoint.id, body)
              : api.post('/api/v1/webhooks', body),
          );
          close(data);
        } catch (err) {
          error.show(err, form);
        }
      },
    },
    field('URL', url, endpoint ? 'The URL cannot change; register a new endpoint instead.' : 'https only.'),
    h(
      'div',
      { class: 'grid-2' },
      field('Label', label),
      field('Signing scheme', scheme, endpoint ? 'Change it by rotating the secret.' : undefined),
    ),
    h(
      'fieldset',
      { class: 'field' },
      h('legend', {}, 'Events'),
      h('div', { class: 'checks columns', id: eventsId, name: 'events', tabindex: '-1' }, eventBoxes),
      h('p', { class: 'field-problem', id: eventsId + '-problem', hidden: true }),
    ),
    h(
      'fieldset',
      { class: 'field' },
      h('legend', {}, 'Payload filters'),
      h(
        'p',
        { class: 'hint' },
        'Only events whose field at each path equals the value are sent. Values are JSON (42, true, null) or text.',
      ),
      filterRows,
      h(
        'div',
        {},
        h(
          'button',
          { type: 'button', class: 'button secondary small', onclick: () => addFilter() },
          'Add filter',
        ),
      ),
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

const GRACES = [
  [0, 'None: the old secret stops at once'],
  [3600, '1 hour'],
  [86400, '24 hours'],
  [604800, '7 days'],
];

/** Asks for the grace window and rotates. Resolves with the rotated endpoint (with `secret`), or undefined. */
export function rotateDialog(endpoint) {
  return openDialog('Rotate the signing secret', (close) => {
    const error = formError();
    const grace = h(
      'select',
      { name: 'grace_seconds' },
      GRACES.map(([v, text]) => h('option', { value: String(v), selected: v === 86400 }, text)),
    );
    const submit = h('button', { type: 'submit', class: 'button primary' }, 'Rotate secret');
    const form = h(
      'form',
      {
        async onsubmit(event) {
          event.preventDefault();
          try {
            const { data } = await busy(submit, 'Rotating…', () =>
              api.post('/api/v1/webhooks/' + endpoint.id + '/rotate-secret', {
                grace_seconds: Number(grace.value),
              }),
            );
            close(data);
          } catch (err) {
            error.show(err, form);
          }
        },
      },
      h(
        'p',
        {},
        'A new secret is made and shown once. During the grace window deliveries carry both signatures (v1 with the new secret, v1_prev with the old one).',
      ),
      field('Grace window', grace),
      error.el,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'button secondary', onclick: () => close() }, 'Cancel'),
        submit,
      ),
    );
    return form;
  });
}

/**
 * Sends a test event (optional type and custom `data`, checked to be a JSON object here first)
 * and then shows its delivery, polled until it leaves `pending`.
 */
export async function testDialog(endpoint, renderDelivery) {
  const types = [
    'webhook.test',
    ...(await eventCatalogue()).filter((p) => !p.includes('*') && p !== 'webhook.test'),
  ];
  return openDialog(
    'Send a test event',
    (close) => {
      const error = formError();
      const data = h('textarea', {
        name: 'data',
        rows: '6',
        class: 'code-input',
        placeholder: '{ "hello": "world" }',
        spellcheck: 'false',
      });
      const type = h(
        'select',
        { name: 'type' },
        types.map((t) => h('option', { value: t }, t)),
      );
      const result = h('div', { class: 'test-result', 'data-testid': 'test-result', 'aria-live': 'polite' });
      const submit = h('button', { type: 'submit', class: 'button primary' }, 'Send test event');
      let stop = false;
      const form = h(
        'form',
        {
          novalidate: true,
          async onsubmit(event) {
            event.preventDefault();
            error.hide(form);
            const body = type.value === 'webhook.test' ? {} : { type: type.value };
            if (data.value.trim()) {
              let parsed;
              try {
                parsed = JSON.parse(data.value);
              } catch (err) {
                return showLocal('data', 'Not valid JSON: ' + err.message);
              }
              if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
                return showLocal('data', 'The data must be a JSON object, like { "key": "value" }.');
              }
              body.data = parsed;
            }
            try {
              const { data: sent } = await busy(submit, 'Sending…', () =>
                api.post('/api/v1/webhooks/' + endpoint.id + '/test', body),
              );
              clear(result);
              result.setAttribute('data-event-id', sent.event_id);
              result.append(
                h('p', { class: 'muted' }, 'Event ' + sent.event_id + ' sent. Waiting for its delivery…'),
              );
              await pollDelivery(
                endpoint.id,
                sent.event_id,
                (delivery) => {
                  clear(result);
                  result.append(renderDelivery(delivery));
                },
                () => stop,
              );
            } catch (err) {
              error.show(err, form);
            }
          },
        },
        h(
          'p',
          { class: 'muted' },
          'Sends a webhook.test event to ' + endpoint.url + ' through the normal delivery pipeline.',
        ),
        field('Event type', type, 'Another type needs its full data, checked against its schema.'),
        field('Custom data (optional JSON object)', data),
        error.el,
        result,
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', class: 'button secondary', onclick: () => close() }, 'Close'),
          submit,
        ),
      );
      function showLocal(name, reason) {
        const slot = document.getElementById(data.id + '-problem');
        data.setAttribute('aria-invalid', 'true');
        slot.textContent = reason;
        slot.hidden = false;
        data.focus();
      }
      queueMicrotask(() => form.closest('dialog')?.addEventListener('close', () => (stop = true)));
      return form;
    },
    { wide: true },
  );
}

/** Finds the delivery of `eventId` to the endpoint and reports it until it is no longer pending. */
export async function pollDelivery(endpointId, eventId, report, stopped) {
  let delay = 500;
  for (let i = 0; i < 120 && !stopped(); i++) {
    const { data } = await api.get('/api/v1/webhooks/' + endpointId + '/deliveries?order=desc&limit=20');
    const delivery = data.find((d) => d.event_id === eventId);
    if (delivery) {
      report(delivery);
      if (delivery.status !== 'pending') return delivery;
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 1.5, 3000);
  }
  return undefined;
}
