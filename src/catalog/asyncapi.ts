import type { DeclaredEventType } from '../store/ledger';

/**
 * The AsyncAPI 3.0.0 document of the declared catalog, for receivers to generate code from: the
 * service sends one message per type to each subscribed endpoint (HTTP POST, Standard Webhooks).
 * Payloads are JSON Schema 2020-12 (the catalog's dialect), as AsyncAPI's Multi Format Schema
 * Object allows; each type's data schema keeps its own `$id`, so its `#/$defs/…` refs resolve
 * within it.
 */

const JSON_SCHEMA_2020 = 'https://json-schema.org/draft/2020-12/schema';
const SCHEMA_FORMAT = 'application/schema+json;version=2020-12';

/** The headers every webhook carries (signing.ts, activities/deliver/transport.ts). */
const WEBHOOK_HEADERS = {
  type: 'object',
  required: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
  properties: {
    'webhook-id': { type: 'string', description: 'The event id, the same on every attempt: de-duplicate on it.' },
    'webhook-timestamp': { type: 'string', pattern: '^[0-9]+$', description: 'Unix seconds of this attempt; signed with the body.' },
    'webhook-signature': {
      type: 'string',
      description: "Space-separated `v1,<base64 HMAC-SHA256 of id.timestamp.body>` with the endpoint's whsec_ secret (two during a secret rotation).",
    },
    'webhook-sequence': { type: 'string', pattern: '^[0-9]+$', description: "The delivery's number for this endpoint, strictly increasing in acceptance order." },
    'webhook-confirm-url': { type: 'string', format: 'uri', description: 'Only for endpoints that confirm: POST to it once the webhook is processed.' },
    'webhook-test': { type: 'string', enum: ['true'], description: 'Only on test events.' },
  },
};

/** An id that names the data schema within the document: where its own relative refs resolve. */
const dataSchemaId = (type: string) => `urn:webhook-relay:event-type:${type}:data`;

/** The Standard Webhooks envelope of one type: `type`, `timestamp` and `data` with the type's schema. */
function envelope(entry: DeclaredEventType) {
  const data = entry.schema ? { $id: dataSchemaId(entry.type), ...entry.schema } : { type: 'object' };
  return {
    $schema: JSON_SCHEMA_2020,
    type: 'object',
    required: ['type', 'timestamp', 'data'],
    properties: {
      type: { const: entry.type },
      timestamp: { type: 'string', format: 'date-time', description: 'When the event was accepted.' },
      data,
      test: { const: true, description: 'Only on test events.' },
    },
  };
}

function message(entry: DeclaredEventType) {
  const deprecation = [entry.deprecatedMessage, entry.replacedBy && `Replaced by ${entry.replacedBy}.`].filter(Boolean).join(' ');
  return {
    name: entry.type,
    title: entry.type,
    summary: entry.description.slice(0, 200),
    description: deprecation ? `${entry.description}\n\nDeprecated: ${deprecation}` : entry.description,
    contentType: 'application/json',
    headers: WEBHOOK_HEADERS,
    payload: { schemaFormat: SCHEMA_FORMAT, schema: envelope(entry) },
    ...(entry.example && {
      examples: [{ name: 'example', payload: { type: entry.type, timestamp: entry.updatedAt, data: entry.example } }],
    }),
    ...(entry.deprecated && { tags: [{ name: 'deprecated', description: deprecation || 'Deprecated.' }] }),
  };
}

const ref = (...path: string[]) => ({ $ref: `#/${path.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}` });

/** The document: a channel, a message and a send operation per declared type. */
export function buildAsyncApiDocument(catalog: DeclaredEventType[]) {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const entry of catalog) {
    messages[entry.type] = message(entry);
    channels[entry.type] = {
      address: null,
      title: entry.type,
      description: `Webhooks of type ${entry.type}, POSTed to each endpoint subscribed to it (its URL is the address).`,
      messages: { [entry.type]: ref('components', 'messages', entry.type) },
    };
    operations[`send.${entry.type}`] = {
      action: 'send',
      channel: ref('channels', entry.type),
      messages: [ref('channels', entry.type, 'messages', entry.type)],
      ...(entry.deprecated && { tags: [{ name: 'deprecated' }] }),
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'webhook-relay event types',
      version: '1.0.0',
      description:
        'The event types this service sends as webhooks (Standard Webhooks: HTTP POST, signed with the endpoint secret). ' +
        'Generated from the event-type catalog (GET /v1/event-types).',
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages },
  };
}
