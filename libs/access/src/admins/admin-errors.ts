/** The errors of the admin console's session routes and of session-authenticated API calls. */
import { DomainError } from '@herald/platform';

export function notAuthenticated(): DomainError {
  return new DomainError('not_authenticated', 'no live admin session for this tenant: log in at /admin', 401);
}

/** Unknown email, disabled admin or wrong password: the caller learns none of that. */
export function invalidCredentials(): DomainError {
  return new DomainError('invalid_credentials', 'the email or password is not correct', 401);
}

export function accountLocked(retryAfterSeconds: number): DomainError {
  return new DomainError(
    'account_locked',
    `too many failed logins: this account is locked; try again in ${retryAfterSeconds} s`,
    429,
    { retry_after_seconds: retryAfterSeconds },
  );
}

export function csrfFailed(reason: 'token' | 'origin'): DomainError {
  return new DomainError(
    'csrf_failed',
    reason === 'token'
      ? 'a request authenticated by an admin session must send its X-CSRF-Token header'
      : 'the Origin of this request is not the host it was sent to',
    403,
  );
}
