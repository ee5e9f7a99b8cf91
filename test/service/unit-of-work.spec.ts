import { UnitOfWork } from '../../src/database/unit-of-work';
import { OutboxRelayService } from '../../src/events/outbox-relay.service';
import { IdentityReader } from '../../src/identity/identity-reader';
import { IdentityService } from '../../src/identity/identity.service';
import { passwordIdentityBody, uniqueEmail } from '../support/fixtures';
import { ServiceContext, startServiceContext } from '../support/service-context';

/** What better-sqlite3 throws when another connection holds the write lock. */
const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

describe('unit of work retries (service level, SQLite)', () => {
  let ctx: ServiceContext;
  beforeAll(async () => {
    ctx = await startServiceContext({ env: { DATABASE_TX_RETRIES: '2' } });
  });
  afterAll(() => ctx?.close());

  it('runs the whole unit again after a retryable error, with nothing of the failed attempt left', async () => {
    const uow = ctx.get(UnitOfWork);
    const identities = ctx.get(IdentityService);
    const relay = ctx.get(OutboxRelayService);
    const pendingBefore = await relay.backlog();
    const ids: string[] = [];
    const email = uniqueEmail('retry');

    await uow.run(async () => {
      // Each attempt creates the identity (a new id each time) and its event; the first attempt then fails.
      ids.push((await identities.create(passwordIdentityBody(email))).id);
      if (ids.length === 1) throw busy();
    });

    expect(ids).toHaveLength(2);
    const reader = ctx.get(IdentityReader);
    expect(await reader.findById(ids[0], { credentials: false })).toBeNull();
    expect(await reader.findById(ids[1], { credentials: false })).toMatchObject({ traits: { email } });
    expect(await relay.backlog()).toBe(pendingBefore + 1);
  });

  it('gives up after DATABASE_TX_RETRIES retries and passes the error on; other errors are not retried', async () => {
    const uow = ctx.get(UnitOfWork);
    let attempts = 0;
    await expect(
      uow.run(() => {
        attempts++;
        return Promise.reject(busy());
      }),
    ).rejects.toThrow('database is locked');
    expect(attempts).toBe(3);

    attempts = 0;
    await expect(
      uow.run(() => {
        attempts++;
        return Promise.reject(new Error('not a database error'));
      }),
    ).rejects.toThrow('not a database error');
    expect(attempts).toBe(1);
  });
});
