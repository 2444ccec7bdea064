// The login form: email and password, errors inline, and the time left when the
// account is locked (the submit button waits it out).

import { ApiError, login } from '../api.js';
import { clear, formatDuration, h } from '../dom.js';

export function renderLogin(root, { onLoggedIn }) {
  clear(root);
  document.title = 'Log in · Herald admin';
  const tenant = location.hostname.split('.')[0];
  const error = h('div', { class: 'alert error', role: 'alert', id: 'login-error', hidden: true });
  const email = h('input', {
    id: 'email',
    name: 'email',
    type: 'email',
    autocomplete: 'username',
    required: true,
    autofocus: true,
    'aria-describedby': 'login-error',
  });
  const password = h('input', {
    id: 'password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    'aria-describedby': 'login-error',
  });
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Log in');
  let countdown;

  const showError = (text) => {
    error.textContent = text;
    error.hidden = false;
  };

  const lockedFor = (seconds) => {
    clearInterval(countdown);
    const until = Date.now() + seconds * 1000;
    submit.disabled = true;
    const tick = () => {
      const left = (until - Date.now()) / 1000;
      if (left <= 0) {
        clearInterval(countdown);
        submit.disabled = false;
        showError('You can try again now.');
        return;
      }
      showError(
        'Too many failed attempts: this account is locked. Try again in ' + formatDuration(left) + '.',
      );
    };
    tick();
    countdown = setInterval(tick, 1000);
  };

  const form = h(
    'form',
    {
      class: 'login-form',
      novalidate: true,
      async onsubmit(event) {
        event.preventDefault();
        if (submit.disabled) return;
        if (!email.value.trim() || !password.value) {
          showError('Enter your email and password.');
          (email.value.trim() ? password : email).focus();
          return;
        }
        submit.disabled = true;
        submit.textContent = 'Logging in…';
        error.hidden = true;
        try {
          const session = await login(email.value.trim(), password.value);
          clearInterval(countdown);
          onLoggedIn(session);
          return;
        } catch (err) {
          password.value = '';
          if (err instanceof ApiError && err.code === 'account_locked') {
            submit.textContent = 'Log in';
            lockedFor(err.retryAfterSeconds ?? err.details?.retry_after_seconds ?? 60);
            return;
          }
          if (err instanceof ApiError && err.code === 'invalid_credentials')
            showError('The email or password is not correct.');
          else if (err instanceof ApiError && err.code === 'tenant_not_found')
            showError('No tenant is served at this address.');
          else showError(err instanceof Error ? err.message : String(err));
          password.focus();
        }
        submit.disabled = false;
        submit.textContent = 'Log in';
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'email' }, 'Email'), email),
    h('div', { class: 'field' }, h('label', { for: 'password' }, 'Password'), password),
    error,
    submit,
  );

  root.append(
    h(
      'main',
      { class: 'login-page' },
      h(
        'section',
        { class: 'login-card', 'aria-labelledby': 'login-title' },
        h(
          'div',
          { class: 'brand' },
          h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'H'),
          'Herald',
        ),
        h('h1', { id: 'login-title' }, 'Log in to the admin console'),
        h('p', { class: 'muted' }, 'Tenant ', h('strong', {}, tenant)),
        form,
      ),
    ),
  );
}
