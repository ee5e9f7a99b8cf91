import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { CloudEvent } from './cloud-event';
import { EVENT_CATALOGUE } from './event-catalogue';
import { CLOUD_EVENT_SCHEMA, EVENT_DATA_SCHEMAS } from './event-schemas';

/** Checks an event against the envelope schema and its type's data schema; returns the problems (none when valid). */
export class EventValidator {
  private readonly envelope: ValidateFunction;
  private readonly data = new Map<string, ValidateFunction>();

  constructor() {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    this.envelope = ajv.compile(CLOUD_EVENT_SCHEMA);
    for (const [type, schema] of Object.entries(EVENT_DATA_SCHEMAS)) this.data.set(type, ajv.compile(schema));
  }

  problems(event: CloudEvent): string[] {
    const out: string[] = [];
    if (!this.envelope(event)) out.push(...(this.envelope.errors ?? []).map((e) => `envelope${e.instancePath} ${e.message}`));
    if (!(event.type in EVENT_CATALOGUE)) return [...out, `unknown type ${String(event.type)}`];
    const validate = this.data.get(event.type)!;
    if (!validate(event.data)) out.push(...(validate.errors ?? []).map((e) => `data${e.instancePath} ${e.message}`));
    return out;
  }
}
