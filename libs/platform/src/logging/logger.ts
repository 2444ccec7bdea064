/**
 * Structured JSON logging (pino). Secrets never reach the log: authorization
 * headers, cookies, secrets, passwords, keys and tokens are redacted by path.
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
  '*.authorization',
  '*.password',
  '*.secret',
  '*.token',
  '*.key',
  '*.masterKey',
  '*.serviceToken',
  '*.api_key',
  '*.signing_secret',
];

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
    },
    opts.destination,
  );
}
