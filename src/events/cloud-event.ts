import { randomUUID } from 'node:crypto';
import type { EventPayloads, EventType } from './event-catalogue';

/** A CloudEvents 1.0 event in structured JSON mode; it is the BullMQ job's data, and `id` is the job id. */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: EventType;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: T;
  traceparent?: string;
  /** CloudEvents extension attributes (lower-case alphanumeric names), e.g. `credentialtype`. */
  [extension: string]: unknown;
}

/**
 * What a service records: a known event type with its payload (`EventPayloads[type]`). It is a union over the types,
 * so a payload that does not match its type's schema is a compile error.
 */
export type DomainEvent<T extends EventType = EventType> = {
  [K in T]: { type: K; subject: string; data: EventPayloads[K]; extensions?: Record<string, string> };
}[T];

export function toCloudEvent<T extends EventType>(event: DomainEvent<T>, source: string, now = new Date()): CloudEvent<EventPayloads[T]> {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source,
    type: event.type,
    subject: event.subject,
    time: now.toISOString(),
    datacontenttype: 'application/json',
    ...event.extensions,
    data: event.data,
  };
}
