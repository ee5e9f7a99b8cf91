import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';

/** What a refused request must look like: Kratos's envelope, or (self-service) the flow with its messages. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/** Why `answer` breaks the rules for an error answer, or undefined when it keeps them. */
export function answerProblem(answer: Answer): string | undefined {
  if (answer.status >= 500) return `status ${answer.status}`;
  if (answer.headers.get('cache-control') !== 'private, no-cache, no-store, must-revalidate') return `cache-control ${answer.headers.get('cache-control')}`;
  if (answer.status < 400) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `not JSON: ${answer.text.slice(0, 100)}`;
  }
  const b = body as { error?: { code?: unknown; status?: unknown; message?: unknown }; id?: unknown; ui?: unknown };
  if (b.error) {
    if (b.error.code !== answer.status) return `error.code ${String(b.error.code)} for status ${answer.status}`;
    if (typeof b.error.status !== 'string' || typeof b.error.message !== 'string') return 'envelope without status or message';
    return undefined;
  }
  if (typeof b.id === 'string' && b.ui && typeof b.ui === 'object') return undefined; // a self-service flow with its messages
  return `neither an envelope nor a flow: ${answer.text.slice(0, 100)}`;
}

export async function send(url: string, init?: RequestInit): Promise<Answer> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** A POST with a JSON body, for `send`. */
export const postJson = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** A native password login over plain HTTP (a fresh flow, then its submission): the raw answer, whatever it is. */
export async function sendPasswordLogin(publicUrl: string, identifier: string, password: string): Promise<Answer> {
  const flow = JSON.parse((await send(`${publicUrl}/self-service/login/api`)).text) as { id: string };
  return send(`${publicUrl}/self-service/login?flow=${flow.id}`, postJson({ method: 'password', identifier, password }));
}

/** Watches the event loop of this process (the app under test runs in it): the longest stall seen. */
export class EventLoopWatch {
  private readonly histogram = monitorEventLoopDelay({ resolution: 5 });

  start(): this {
    this.histogram.enable();
    return this;
  }

  /** The longest delay in milliseconds since start. */
  stop(): number {
    this.histogram.disable();
    return this.histogram.max / 1e6;
  }
}

/**
 * Answers a health probe sent while `work` runs, in milliseconds: how long the service kept other clients waiting.
 * The probe starts after `work` has been sent, so it queues behind whatever the request blocks.
 */
export async function probeWhile<T>(healthUrl: string, work: () => Promise<T>): Promise<{ result: T; probeMs: number }> {
  const pending = work();
  await new Promise((r) => setTimeout(r, 5));
  const started = performance.now();
  await (await fetch(healthUrl)).text();
  const probeMs = performance.now() - started;
  return { result: await pending, probeMs };
}

const TABLES = [
  'identities',
  'identity_credentials',
  'identity_credential_identifiers',
  'identity_verifiable_addresses',
  'identity_recovery_addresses',
  'sessions',
  'event_outbox',
  'recovery_tokens',
];

/** Row counts of the tables a write changes, to show that a refused request left nothing behind. */
export async function rowCounts(dataSource: DataSource): Promise<Record<string, number>> {
  const sql = TABLES.map((t) => `SELECT '${t}' AS t, COUNT(*) AS n FROM ${t}`).join(' UNION ALL ');
  const rows = await dataSource.query<Array<{ t: string; n: number | string }>>(sql);
  return Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
}
