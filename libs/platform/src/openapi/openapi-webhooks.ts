/**
 * The top-level `webhooks` object (OpenAPI 3.1): one entry per public event type, its
 * body the event's JSON Schema from libs/contracts, its headers those of DESIGN.md §7.
 * The same schemas describe the items of GET /api/v1/events (`PublicEvent`).
 */
import { publicEventSchemas, WEBHOOK_TEST_TYPE } from '@herald/contracts';
import { isObject, JsonObject, toJson } from './json';
import { ref } from './openapi-components';

export const WEBHOOKS_TAG = 'Webhook events';

/** `moderation.user_banned` → `ModerationUserBannedEvent`. */
export function eventSchemaName(type: string): string {
  const words = type.split(/[._]/).filter((w) => w !== '');
  return `${words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')}Event`;
}

/** Component schemas: one per public type, plus `PublicEvent` (any type but `webhook.test`). */
export function eventSchemas(): JsonObject {
  const out: JsonObject = {};
  const mapping: JsonObject = {};
  const oneOf: JsonObject[] = [];
  for (const [type, schema] of Object.entries(publicEventSchemas())) {
    const copy = toJson(schema);
    if (!isObject(copy)) continue;
    // The document declares the dialect; a nested $id would also move the base URI of refs.
    delete copy.$schema;
    delete copy.$id;
    const name = eventSchemaName(type);
    out[name] = copy;
    if (type === WEBHOOK_TEST_TYPE) continue;
    mapping[type] = `#/components/schemas/${name}`;
    oneOf.push(ref('schemas', name));
  }
  out.PublicEvent = {
    description: 'A public event: the webhook body and each item of `GET /api/v1/events`.',
    oneOf,
    discriminator: { propertyName: 'type', mapping },
  };
  return out;
}

export function webhookParameters(): JsonObject {
  const header = (name: string, description: string, schema: JsonObject): JsonObject => ({
    name,
    in: 'header',
    required: true,
    description,
    schema,
  });
  return {
    MobieusEventId: header('Mobieus-Event-Id', 'The event `id`; dedupe on it, deliveries can repeat.', {
      type: 'string',
    }),
    MobieusEventType: header('Mobieus-Event-Type', 'The event `type`.', { type: 'string' }),
    MobieusDeliveryId: header('Mobieus-Delivery-Id', 'This delivery; the same across its retries.', {
      type: 'string',
    }),
    MobieusSignature: header(
      'Mobieus-Signature',
      'With the default scheme `mobieus-v1`: `t=<unix seconds>,v1=<hex>` where ' +
        '`v1 = hex(HMAC_SHA256(secret as UTF-8, t + "." + raw body))`. While a rotated secret is ' +
        'in its grace window, `v1_prev=<hex>` carries the signature with the previous secret. ' +
        'Endpoints using `standard-webhooks` receive `webhook-id`, `webhook-timestamp` and ' +
        '`webhook-signature` instead.',
      {
        type: 'string',
        examples: ['t=1780000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd'],
      },
    ),
    MobieusUserAgent: header('User-Agent', 'Identifies Herald deliveries.', {
      type: 'string',
      const: 'Mobieus-Webhook/1.0',
    }),
  };
}

/** `webhooks`: what Herald POSTs to a subscribed endpoint for each public type. */
export function webhooks(): JsonObject {
  const out: JsonObject = {};
  for (const [type, schema] of Object.entries(publicEventSchemas())) {
    const name = eventSchemaName(type);
    const subscribed =
      type === WEBHOOK_TEST_TYPE
        ? 'Sent to one endpoint by `POST /api/v1/webhooks/{id}/test`, whatever it subscribes to.'
        : `Sent to endpoints subscribed to \`${type}\`, \`${type.split('.')[0] ?? type}.*\` or \`*\`.`;
    out[type] = {
      post: {
        operationId: name.replace(/Event$/, 'Webhook').replace(/^./, (c) => c.toLowerCase()),
        summary: type,
        description:
          `${typeof schema.description === 'string' ? schema.description : ''} ${subscribed}`.trim(),
        tags: [WEBHOOKS_TAG],
        security: [],
        parameters: [
          'MobieusEventId',
          'MobieusEventType',
          'MobieusDeliveryId',
          'MobieusSignature',
          'MobieusUserAgent',
        ].map((p) => ref('parameters', p)),
        requestBody: {
          required: true,
          content: { 'application/json': { schema: ref('schemas', name) } },
        },
        responses: {
          '2XX': {
            description:
              'Acknowledges the delivery. Answer within the per-attempt timeout (10 s by default); the ' +
              'first 2,000 characters of the body are recorded for the delivery log.',
          },
          '410': { description: 'Gone: disables the endpoint at once; no further attempts.' },
          default: {
            description:
              'Any other status, a network or TLS error, a timeout or a redirect (never followed) ' +
              'fails the attempt; it is retried on the schedule, honouring `Retry-After` on 429 and 503.',
          },
        },
      },
    };
  }
  return out;
}
