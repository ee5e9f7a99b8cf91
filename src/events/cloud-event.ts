import { randomUUID } from 'node:crypto';
import type { EventType } from './event-catalogue';

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

export interface DomainEvent<T = unknown> {
  type: EventType;
  subject: string;
  data: T;
  extensions?: Record<string, string>;
}

export function toCloudEvent<T>(event: DomainEvent<T>, source: string, now = new Date()): CloudEvent<T> {
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
