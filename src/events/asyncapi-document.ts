import { stringify } from 'yaml';
import { EVENT_CATALOGUE, EVENT_TYPES, EventType } from './event-catalogue';
import { CLOUD_EVENT_SCHEMA, EVENT_DATA_SCHEMAS, IDENTITY_DATA_SCHEMA } from './event-schemas';

/** `identity.credential.deleted` → `identityCredentialDeleted` (AsyncAPI component keys are identifiers). */
function key(type: EventType): string {
  return type.replace(/\.([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * The AsyncAPI 3 document of the event stream: the default queue, the subscriber queues (same messages), each job
 * name with its CloudEvents payload. Generated from the catalogue and schemas, so it cannot drift from the code.
 */
export function renderAsyncApiDocument(): string {
  const schemas: Record<string, unknown> = { CloudEvent: CLOUD_EVENT_SCHEMA, Identity: IDENTITY_DATA_SCHEMA };
  const messages: Record<string, unknown> = {};
  for (const type of EVENT_TYPES) {
    const dataRef = EVENT_DATA_SCHEMAS[type] === IDENTITY_DATA_SCHEMA ? { $ref: '#/components/schemas/Identity' } : EVENT_DATA_SCHEMAS[type];
    messages[key(type)] = {
      name: type,
      title: type,
      summary: EVENT_CATALOGUE[type],
      contentType: 'application/json',
      bindings: { ibmmq: undefined },
      payload: {
        allOf: [{ $ref: '#/components/schemas/CloudEvent' }, { type: 'object', properties: { type: { const: type }, data: dataRef } }],
      },
    };
    delete (messages[key(type)] as { bindings?: unknown }).bindings;
  }
  const messageRefs = Object.fromEntries(EVENT_TYPES.map((t) => [key(t), { $ref: `#/components/messages/${key(t)}` }]));
  const document = {
    asyncapi: '3.1.0',
    info: {
      title: 'kratos-nest domain events',
      version: '1.0.0',
      description: [
        'Every change to identities, sessions and recovery is published as a BullMQ job on Redis, through a transactional outbox:',
        'the job name is the event type, the job id is the event id, and the job data is a CloudEvents 1.0 structured event.',
        'Delivery is at least once; consumers deduplicate on the event id. Events never carry password hashes, session tokens or',
        'recovery codes. The default queue is `kratos-events` (EVENTS_QUEUE); EVENTS_SUBSCRIBERS adds queues that receive every',
        'event or only the types they list.',
      ].join(' '),
    },
    defaultContentType: 'application/json',
    servers: {
      redis: { host: 'localhost:6379', protocol: 'redis', description: 'The Redis of REDIS_URL (BullMQ keys under the prefix "bull")' },
    },
    channels: {
      events: {
        address: 'kratos-events',
        title: 'Default event queue',
        description: 'The BullMQ queue EVENTS_QUEUE (default kratos-events); it receives every event. Subscriber queues carry the same messages.',
        messages: messageRefs,
      },
    },
    operations: {
      consumeEvents: {
        action: 'receive',
        title: 'Consume events',
        summary: 'A BullMQ Worker on the queue receives one job per event.',
        channel: { $ref: '#/channels/events' },
        messages: EVENT_TYPES.map((t) => ({ $ref: `#/channels/events/messages/${key(t)}` })),
      },
    },
    components: { schemas, messages },
  };
  return stringify(document, { lineWidth: 0, aliasDuplicateObjects: false });
}
