/** The request body as bytes, wherever the framework left it. */
import type { IncomingMessage } from 'node:http';
import { WebhookConfigurationError } from './errors';

const PARSED =
  'the request body was parsed before it could be verified: signatures cover the exact bytes sent. ' +
  'Give the webhook route the raw body (express.raw({ type: "application/json" }), a Buffer content-type ' +
  'parser in Fastify, rawBody: true in Nest)';

/**
 * `body` when a raw parser left a Buffer (or a string); `rawBody` when the framework kept
 * one beside the parsed body; else, when nothing consumed the stream yet, reads it.
 */
export async function rawBodyOf(
  req: IncomingMessage & { body?: unknown; rawBody?: unknown },
  limitBytes = 1024 * 1024,
): Promise<Buffer> {
  if (Buffer.isBuffer(req.rawBody)) return req.rawBody;
  if (Buffer.isBuffer(req.body)) return req.body;
  if (typeof req.body === 'string') return Buffer.from(req.body, 'utf8');
  if (req.body !== undefined && req.body !== null) throw new WebhookConfigurationError(PARSED);
  if (req.readableEnded) throw new WebhookConfigurationError(PARSED);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    size += buf.length;
    if (size > limitBytes) throw new WebhookConfigurationError(`webhook body exceeds ${limitBytes} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export { PARSED as PARSED_BODY_MESSAGE };
