/** The URL-level SSRF rules (DESIGN.md §7): parseable, `https` only, no user information. */

export type ParsedWebhookUrl = { url: URL } | { reason: string };

export function parseWebhookUrl(raw: string): ParsedWebhookUrl {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { reason: 'the URL is not valid' };
  }
  if (url.protocol !== 'https:')
    return { reason: `only https URLs are allowed, not ${url.protocol.slice(0, -1)}` };
  // `https://@host` parses to an empty username, so the raw text is checked as well.
  if (url.username !== '' || url.password !== '' || rawAuthority(raw).includes('@')) {
    return { reason: 'the URL must not contain user information (user@host)' };
  }
  return { url };
}

/** The authority as a WHATWG parser delimits it for a special scheme (`\` ends it like `/`). */
function rawAuthority(raw: string): string {
  // eslint-disable-next-line no-control-regex -- the URL standard strips exactly these.
  const text = raw.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
  const afterScheme = text.replace(/^[a-z][a-z\d+.-]*:[/\\]*/i, '');
  return afterScheme.split(/[/\\?#]/, 1)[0] ?? '';
}
