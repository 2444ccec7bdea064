/** Header access that works the same for Node's IncomingHttpHeaders, plain objects and fetch's Headers. */

export type HeaderValue = string | readonly string[] | undefined;

/** `req.headers` of Node, Express, Fastify or Nest; any plain object of headers; or a fetch `Headers`. */
export type WebhookHeaders =
  Readonly<Record<string, HeaderValue | number>> | { get(name: string): string | null };

/**
 * One header, by case-insensitive name. A header that arrived more than once is joined
 * with `, ` as HTTP combines it; callers treat a repeated signature header as malformed
 * where that matters.
 */
export function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, HeaderValue | number>)) {
    if (key.toLowerCase() !== wanted) continue;
    if (value === undefined) return undefined;
    if (typeof value === 'number') return String(value);
    return typeof value === 'string' ? value : value.join(', ');
  }
  return undefined;
}
