/**
 * Turns what @nestjs/swagger scanned into the public operations of DESIGN.md §6: only
 * `@PublicApi()` handlers, each with its bearer scopes, its result inside the envelope,
 * every error it can answer (shared codes plus the route's own `@ApiErrors`) and the
 * headers every response carries.
 */
import {
  BAD_REQUEST,
  ErrorCode,
  HEADERS_TOO_LARGE,
  HTTPS_REQUIRED,
  INSUFFICIENT_SCOPE,
  INTERNAL_ERROR,
  INVALID_API_KEY,
  INVALID_CURSOR,
  INVALID_JSON,
  INVALID_TOKEN,
  PAYLOAD_TOO_LARGE,
  QUOTA_EXCEEDED,
  RATE_LIMITED,
  REQUEST_TIMEOUT,
  SERVICE_UNAVAILABLE,
  TENANT_NOT_FOUND,
  UNSUPPORTED_MEDIA_TYPE,
  URI_TOO_LONG,
} from '../http/error-codes';
import { isObject, JsonObject, objects } from './json';
import { headersFor, ref, SECURITY_SCHEME } from './openapi-components';
import { OAUTH_SCHEME } from './openapi-oauth';
import type { PublicHandler } from './public-handlers';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * Keeps the public operations of `paths` (in place) and describes them. Returns the
 * error codes the document refers to.
 */
export function describePublicOperations(
  paths: JsonObject,
  handlers: ReadonlyMap<string, PublicHandler>,
): ErrorCode[] {
  const used = new Set<ErrorCode>();
  const ids = new Map<string, number>();
  const kept: Array<{ op: JsonObject; handler: PublicHandler }> = [];
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const handler = typeof op.operationId === 'string' ? handlers.get(op.operationId) : undefined;
      if (!handler) {
        delete item[method];
        continue;
      }
      for (const code of describe(op, handler, path)) used.add(code);
      ids.set(handler.method, (ids.get(handler.method) ?? 0) + 1);
      kept.push({ op, handler });
    }
    if (!METHODS.some((m) => m in item)) delete paths[path];
  }
  for (const { op, handler } of kept) {
    // The handler's name is the operationId unless two controllers use the same one.
    op.operationId =
      (ids.get(handler.method) ?? 0) > 1
        ? lowerFirst(handler.controller.replace(/(Http)?Controller$/, '')) + upperFirst(handler.method)
        : handler.method;
  }
  return [...used];
}

function describe(op: JsonObject, handler: PublicHandler, path: string): ErrorCode[] {
  const tags = Array.isArray(op.tags) && op.tags.length > 0 ? op.tags : [tagOf(path)];
  op.tags = tags;
  if (typeof op.summary !== 'string' || op.summary === '') op.summary = humanize(handler.method);
  const scopes = handler.scopes.map((s) => `\`${s}\``).join(', ');
  const scopeLine = scopes
    ? `Requires an API key or OAuth access token with ${scopes}.`
    : 'Requires an API key or OAuth access token.';
  op.description =
    typeof op.description === 'string' && op.description ? `${op.description}\n\n${scopeLine}` : scopeLine;
  op.security = [{ [SECURITY_SCHEME]: [...handler.scopes] }, { [OAUTH_SCHEME]: [...handler.scopes] }];

  const responses = isObject(op.responses) ? op.responses : {};
  for (const [status, res] of Object.entries(responses)) {
    if (isObject(res) && status.startsWith('2')) envelopeSuccess(res, status);
  }
  const codes = errorCodesOf(op, handler);
  for (const [status, group] of groupByStatus(codes)) {
    responses[String(status)] = errorResponse(group, responses[String(status)]);
  }
  for (const [status, res] of Object.entries(responses)) {
    if (isObject(res)) res.headers = { ...headersFor(status), ...(isObject(res.headers) ? res.headers : {}) };
  }
  op.responses = responses;
  return codes;
}

function errorCodesOf(op: JsonObject, handler: PublicHandler): ErrorCode[] {
  const params = objects(op.parameters);
  const codes: ErrorCode[] = [];
  if (params.length > 0 || op.requestBody) codes.push(BAD_REQUEST);
  if (params.some((p) => p.in === 'query' && p.name === 'cursor')) codes.push(INVALID_CURSOR);
  if (op.requestBody) codes.push(INVALID_JSON, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE);
  // The router refuses an over-long path parameter before any handler runs.
  if (params.some((p) => p.in === 'path')) codes.push(URI_TOO_LONG);
  codes.push(
    INVALID_API_KEY,
    INVALID_TOKEN,
    INSUFFICIENT_SCOPE,
    HTTPS_REQUIRED,
    TENANT_NOT_FOUND,
    RATE_LIMITED,
    QUOTA_EXCEEDED,
    // Answered by the server itself, whatever the route: a slow or oversized request head,
    // and shutdown.
    REQUEST_TIMEOUT,
    HEADERS_TOO_LARGE,
    INTERNAL_ERROR,
    SERVICE_UNAVAILABLE,
  );
  for (const c of handler.errors) if (!codes.some((k) => k.code === c.code)) codes.push(c);
  return codes;
}

function groupByStatus(codes: readonly ErrorCode[]): Array<[number, ErrorCode[]]> {
  const groups = new Map<number, ErrorCode[]>();
  for (const c of codes) groups.set(c.status, [...(groups.get(c.status) ?? []), c]);
  return [...groups.entries()].sort(([a], [b]) => a - b);
}

function errorResponse(codes: readonly ErrorCode[], existing: unknown): JsonObject {
  const lines = codes.map((c) => `- \`${c.code}\`: ${c.description}`).join('\n');
  const own = isObject(existing) && typeof existing.description === 'string' ? existing.description : '';
  const examples: JsonObject = {};
  for (const c of codes) examples[c.code] = ref('examples', c.code);
  return {
    description: own ? `${own}\n\n${lines}` : lines,
    content: { 'application/json': { schema: ref('schemas', 'ErrorEnvelope'), examples } },
  };
}

/** The documented result becomes `data`; an array result is a list page with a ListMeta. */
function envelopeSuccess(res: JsonObject, status: string): void {
  if (typeof res.description !== 'string' || res.description === '') {
    res.description = status === '201' ? 'Created' : 'OK';
  }
  if (status === '204') return;
  const content = isObject(res.content) ? res.content : {};
  const media = isObject(content['application/json']) ? content['application/json'] : {};
  const data = isObject(media.schema) ? media.schema : {};
  const props = isObject(data.properties) ? data.properties : undefined;
  if (props && 'data' in props && 'meta' in props) return;
  const list = data.type === 'array';
  media.schema = {
    type: 'object',
    required: ['data', 'meta'],
    properties: { data, meta: ref('schemas', list ? 'ListMeta' : 'Meta') },
  };
  res.content = { ...content, 'application/json': media };
}

const TAG_DESCRIPTIONS: Record<string, string> = {
  Events:
    'The public event log of the tenant, oldest first, cursor-paginated; the same events the webhooks deliver.',
  Users: 'The users read model, built from the user events.',
  Posts: 'The posts read model, built from the post events; deleted posts stay, flagged.',
  Webhooks: 'Endpoints that receive signed events, their deliveries and attempts.',
  OAuth: 'OAuth2 client credentials: trade a client id and secret for a short-lived access token.',
  Keys: 'The API keys of the tenant: created with the key shown once, listed, revoked, with their hourly usage.',
};

/** `/api/v1/events/{id}` → `Events`. */
export function tagOf(path: string): string {
  const seg = path.replace(/^\/api\/v\d+\//, '').split('/')[0] ?? 'api';
  return upperFirst(seg.replace(/[-_]/g, ' '));
}

export function tagDescription(tag: string): string {
  return TAG_DESCRIPTIONS[tag] ?? `${tag} operations.`;
}

/** `listEvents` → `List events`. */
function humanize(method: string): string {
  const words = method.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return upperFirst(words);
}

const upperFirst = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/**
 * The validation pipe refuses fields a body DTO does not declare (400 `bad_request`), so
 * every schema a request body refers to is closed: `additionalProperties: false`.
 */
export function closeRequestBodySchemas(paths: JsonObject, schemas: JsonObject): void {
  for (const item of Object.values(paths)) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op) || !isObject(op.requestBody) || !isObject(op.requestBody.content)) continue;
      const media = op.requestBody.content['application/json'];
      const target = isObject(media) && isObject(media.schema) ? media.schema.$ref : undefined;
      const name = typeof target === 'string' ? target.replace('#/components/schemas/', '') : '';
      const schema = schemas[name];
      if (isObject(schema)) schema.additionalProperties = false;
    }
  }
}
