/**
 * Times in webhook API objects, formatted by Postgres as the other public routes do:
 * RFC 3339 UTC with exactly six fractional digits (`2026-05-28T12:34:56.123456Z`).
 */
export const publicTime = (column: string): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
