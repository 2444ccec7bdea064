/**
 * Structured JSON logging (pino). Secrets never reach the log: authorization
 * headers, cookies, secrets, passwords, keys and tokens are redacted by path, and any
 * text shaped like one of Herald's credentials (an API key pasted into a URL, say) is
 * redacted wherever it stands in the line.
 */
import pino, { Logger } from 'pino';
import type { LogLevel } from '../config';

export type { Logger } from 'pino';

export const REDACT_PATHS: string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-herald-service-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'password',
  'secret',
  'token',
  'key',
  'masterKey',
  'serviceToken',
  'databaseUrl',
  'databaseAppUrl',
  'databaseSystemUrl',
  '*.authorization',
  '*.password',
  '*.secret',
  '*.token',
  '*.key',
  '*.masterKey',
  '*.serviceToken',
  '*.api_key',
  '*.signing_secret',
  '*.client_secret',
  '*.access_token',
];

/**
 * API keys, OAuth client secrets and access tokens, service tokens and webhook secrets, by
 * their prefixes: the prefix stays, the rest goes.
 */
const CREDENTIAL = /\b(mc_live_|mc_test_|mc_cs_|mc_at_|hst_|whsec_|whsk_)[A-Za-z0-9_+/=-]{8,}/g;

export function redactCredentials(line: string): string {
  return line.replace(CREDENTIAL, '$1[redacted]');
}

export function createLogger(opts: {
  level: LogLevel;
  name?: string;
  destination?: pino.DestinationStream;
}): Logger {
  return pino(
    {
      level: opts.level,
      name: opts.name ?? 'herald',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      hooks: { streamWrite: redactCredentials },
    },
    opts.destination,
  );
}
