/** Token requests for tests of the OAuth token endpoint: a form body to `<tenant>.localhost`. */
import * as http from 'node:http';
import type { ApiResponse } from './api-keys';

/** `POST /oauth/token` to `<tenant>.localhost`, the body a form unless `contentType` says otherwise. */
export function tokenRequest(
  app: { baseUrl: string },
  tenant: string,
  body: string,
  opts: { authorization?: string; contentType?: string } = {},
): Promise<ApiResponse> {
  const url = new URL('/oauth/token', app.baseUrl);
  const headers: Record<string, string> = {
    host: `${tenant}.localhost:${url.port}`,
    'content-type': opts.contentType ?? 'application/x-www-form-urlencoded',
    'content-length': String(Buffer.byteLength(body)),
  };
  if (opts.authorization) headers.authorization = opts.authorization;
  return new Promise((resolve, reject) => {
    const req = http.request(
      { hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers },
      (res) => {
        let raw = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (raw += c));
        res.on('end', () => {
          let parsed: unknown = raw;
          try {
            parsed = JSON.parse(raw);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, text: raw });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

export const form = (params: Record<string, string>): string => new URLSearchParams(params).toString();
