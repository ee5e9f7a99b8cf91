/*
 * `npm run bench`: measures, on MariaDB, the batch import of 1000 identities with pre-hashed passwords and the
 * latency of the first and of a deep keyset page. Prints figures; asserts nothing.
 */
import { randomUUID } from 'node:crypto';
import { startTestApp } from '../../test/support/test-app';

const BCRYPT = '$2a$10$ZsCsoVQ3xfBG/K2z2XpBf.tm90GZmtOqtqWcB5.pYd5Eq8y7RlDyq';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BATCH = 1000;

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return `min ${sorted[0].toFixed(0)} ms, median ${median.toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms (n=${samples.length})`;
}

async function timed(work: () => Promise<Response>): Promise<number> {
  const start = performance.now();
  const res = await work();
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`request failed with ${res.status}`);
  return performance.now() - start;
}

async function main(): Promise<void> {
  const app = await startTestApp({ dialect: 'mysql', env: { LOG_LEVEL: 'silent' } });
  try {
    const batchTimes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const identities = Array.from({ length: BATCH }, (_, i) => ({
        create: {
          schema_id: 'default',
          traits: { email: `bench-${round}-${i}-${randomUUID().slice(0, 8)}@example.com`, name: { first: 'Bench', last: String(i) } },
          credentials: { password: { config: { hashed_password: BCRYPT } } },
        },
      }));
      batchTimes.push(
        await timed(() =>
          fetch(`${app.adminUrl}/admin/identities`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identities }) }),
        ),
      );
    }
    console.log(`batch import of ${BATCH} identities with pre-hashed passwords (MariaDB): ${stats(batchTimes)}`);

    const all: string[] = [];
    let token: string | undefined;
    do {
      const res = await fetch(`${app.adminUrl}/admin/identities?page_size=500${token ? `&page_token=${token}` : ''}`);
      const page = (await res.json()) as Array<{ id: string }>;
      all.push(...page.map((i) => i.id));
      token = /page_token=([0-9a-f-]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    } while (token);
    const first: number[] = [];
    const deep: number[] = [];
    const deepToken = all[all.length - 300];
    for (let i = 0; i < 20; i++) {
      first.push(await timed(() => fetch(`${app.adminUrl}/admin/identities?page_size=250`)));
      deep.push(await timed(() => fetch(`${app.adminUrl}/admin/identities?page_size=250&page_token=${deepToken}`)));
    }
    console.log(`list, first keyset page of 250 (of ${all.length}): ${stats(first)}`);
    console.log(`list, keyset page of 250 starting ${all.length - 300} deep: ${stats(deep)}`);
  } finally {
    await app.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
