// Widgets the pages share: modal dialogs (native <dialog>: Escape closes, focus stays
// inside), the show-once secret dialog, confirmations, copy buttons, tables with an empty
// state, and the API's error envelope shown inline next to the fields it names.

import { ApiError } from './api.js';
import { clear, formatTime, h } from './dom.js';

let nextId = 0;
export const uid = (prefix) => prefix + '-' + ++nextId;

/**
 * Opens a modal dialog; `build(close)` returns its body. Resolves with what `close(value)`
 * was given (undefined when dismissed with Escape or Cancel). The dialog is removed on close
 * and focus returns to the element that opened it.
 */
export function openDialog(title, build, { wide = false } = {}) {
  const opener = document.activeElement;
  const titleId = uid('dialog-title');
  const dialog = h('dialog', { class: wide ? 'dialog wide' : 'dialog', 'aria-labelledby': titleId });
  let result;
  const close = (value) => {
    result = value;
    dialog.close();
  };
  dialog.append(h('h2', { id: titleId, class: 'dialog-title' }, title), build(close));
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(result);
    });
    dialog.showModal();
    const first = dialog.querySelector('[autofocus], input, select, textarea, button');
    if (first instanceof HTMLElement) first.focus();
  });
}

/** A yes/no question; resolves true only when confirmed. */
export function confirmDialog(title, text, { confirmLabel = 'Confirm', danger = true } = {}) {
  return openDialog(title, (close) =>
    h(
      'div',
      {},
      h('p', {}, text),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'button secondary', onclick: () => close(false) }, 'Cancel'),
        h(
          'button',
          {
            type: 'button',
            class: danger ? 'button danger' : 'button primary',
            'data-testid': 'confirm',
            onclick: () => close(true),
          },
          confirmLabel,
        ),
      ),
    ),
  ).then((v) => v === true);
}

/** A secret shown once: the value, a copy button and the warning that it will not be shown again. */
export function secretDialog(title, label, secret, note) {
  return openDialog(title, (close) => {
    const id = uid('secret');
    const input = h('input', {
      id,
      class: 'secret',
      readonly: true,
      value: secret,
      'data-testid': 'secret-value',
      spellcheck: 'false',
    });
    return h(
      'div',
      {},
      h(
        'p',
        { class: 'alert warning', role: 'note' },
        'Copy it now: you will not see it again. Herald keeps only what it needs to check or sign with it.',
      ),
      note ? h('p', { class: 'muted' }, note) : null,
      h(
        'div',
        { class: 'field' },
        h('label', { for: id }, label),
        h(
          'div',
          { class: 'copy-row' },
          input,
          copyButton(() => secret, input),
        ),
      ),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'button primary', onclick: () => close() }, 'Done'),
      ),
    );
  });
}

/** Copies text with the Clipboard API; where that is refused, selects it for Ctrl+C. */
export function copyButton(text, selectable) {
  const button = h('button', { type: 'button', class: 'button secondary small' }, 'Copy');
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text());
      button.textContent = 'Copied';
    } catch {
      if (selectable) {
        selectable.focus();
        selectable.select?.();
      }
      button.textContent = 'Press Ctrl+C';
    }
    setTimeout(() => (button.textContent = 'Copy'), 2000);
  });
  return button;
}

/** A table with a caption for screen readers, or the empty state when there are no rows. */
export function table(caption, columns, rows, renderRow, emptyText, attrs = {}) {
  if (rows.length === 0) return h('p', { class: 'empty', 'data-testid': 'empty' }, emptyText);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'table', ...attrs },
      h('caption', { class: 'visually-hidden' }, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h('tbody', {}, rows.map(renderRow)),
    ),
  );
}

export function badge(text, tone) {
  return h('span', { class: 'badge ' + (tone || 'neutral') }, text);
}

export const time = (iso) =>
  iso ? h('time', { datetime: iso }, formatTime(iso)) : h('span', { class: 'muted' }, '—');

/** A labelled field; `control` gets the id. Problems the API names for `name` appear under it. */
export function field(label, control, hint) {
  const id = control.id || uid('f');
  control.id = id;
  const hintId = hint ? id + '-hint' : undefined;
  const problemId = id + '-problem';
  control.setAttribute('aria-describedby', [hintId, problemId].filter(Boolean).join(' '));
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    control,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    h('p', { class: 'field-problem', id: problemId, hidden: true }),
  );
}

/** The form-level error box; `show(err, form)` also marks the fields the error's details name. */
export function formError() {
  const box = h('div', { class: 'alert error', role: 'alert', hidden: true });
  return {
    el: box,
    hide(form) {
      box.hidden = true;
      clear(box);
      if (form) {
        for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
        for (const p of form.querySelectorAll('.field-problem')) p.hidden = true;
      }
    },
    show(err, form) {
      this.hide(form);
      box.append(h('p', { class: 'alert-title' }, errorMessage(err)));
      const problems = problemsOf(err);
      const unplaced = [];
      for (const p of problems) {
        const control = form && p.field ? form.querySelector(`[name="${cssEscape(p.field)}"]`) : null;
        const slot = control ? document.getElementById(control.id + '-problem') : null;
        if (control && slot) {
          control.setAttribute('aria-invalid', 'true');
          slot.textContent = p.reason;
          slot.hidden = false;
        } else unplaced.push(p);
      }
      if (unplaced.length > 0 && problems.length > 1) {
        box.append(
          h(
            'ul',
            {},
            unplaced.map((p) => h('li', {}, (p.field ? p.field + ': ' : '') + p.reason)),
          ),
        );
      }
      box.hidden = false;
      const invalid = form?.querySelector('[aria-invalid="true"]');
      if (invalid instanceof HTMLElement) invalid.focus();
    },
  };
}

function cssEscape(s) {
  return window.CSS && CSS.escape ? CSS.escape(s) : s.replace(/["\\]/g, '\\$&');
}

export function errorMessage(err) {
  if (err instanceof ApiError) return err.message + (err.code ? ' (' + err.code + ')' : '');
  return err instanceof Error ? err.message : String(err);
}

/** `details` of the envelope as [{field, reason}], whatever list shape the route gave. */
export function problemsOf(err) {
  if (!(err instanceof ApiError) || !err.details) return [];
  const list = Array.isArray(err.details)
    ? err.details
    : Array.isArray(err.details.problems)
      ? err.details.problems
      : Array.isArray(err.details.errors)
        ? err.details.errors
        : [];
  return list
    .filter((d) => d && typeof d === 'object')
    .map((d) => ({
      field: typeof d.field === 'string' ? d.field.split(/[.[]/)[0] : undefined,
      reason: String(d.reason ?? d.message ?? JSON.stringify(d)),
    }));
}

export function errorBox(err) {
  return h('p', { class: 'alert error', role: 'alert' }, errorMessage(err));
}

/** Runs `work` with the button disabled and showing `busyText`; restores it afterwards. */
export async function busy(button, busyText, work) {
  const text = button.textContent;
  button.disabled = true;
  button.textContent = busyText;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.textContent = text;
  }
}

/** Query string from the defined, non-empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? '?' + s : '';
}

export const percent = (rate) => (rate === null || rate === undefined ? '—' : (rate * 100).toFixed(1) + ' %');

export function pageHeader(title, ...actions) {
  return h('div', { class: 'page-header' }, h('h1', {}, title), h('div', { class: 'page-actions' }, actions));
}
