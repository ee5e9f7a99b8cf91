import type { FastifyRequest } from 'fastify';
import { IdentityService } from '../../src/identity/identity.service';
import { SessionLifecycleService } from '../../src/session/session-lifecycle.service';
import { SessionService } from '../../src/session/session.service';
import { passwordIdentityBody } from '../support/fixtures';
import { ServiceContext, startServiceContext } from '../support/service-context';

const DEVICE = { ipAddress: '127.0.0.1', userAgent: 'service-test', location: '' };
const requestWith = (token: string) => ({ headers: { 'x-session-token': token }, cookies: {} }) as unknown as FastifyRequest;

describe('sessions (service level)', () => {
  let ctx: ServiceContext;
  let identities: IdentityService;
  let lifecycle: SessionLifecycleService;
  let sessions: SessionService;
  beforeAll(async () => {
    ctx = await startServiceContext({ env: { SESSION_LIFESPAN: '1h' } });
    identities = ctx.get(IdentityService);
    lifecycle = ctx.get(SessionLifecycleService);
    sessions = ctx.get(SessionService);
  });
  afterAll(() => ctx?.close());

  const issue = async (identityId: string) => lifecycle.issue(identityId, [{ method: 'password', aal: 'aal1', completedAt: ctx.clock.now() }], DEVICE);

  it('authenticates until the lifespan ends; then the session is listed as inactive', async () => {
    const identity = await identities.create(passwordIdentityBody());
    const { session, token } = await issue(identity.id);
    ctx.clock.advance(3600_000 - 1);
    await expect(sessions.authenticate(requestWith(token))).resolves.toMatchObject({ session: { id: session.id } });

    ctx.clock.advance(1);
    await expect(sessions.authenticate(requestWith(token))).rejects.toMatchObject({ status: 401 });
    expect((await sessions.get(session.id, undefined)).active).toBe(false);
  });

  it("ends an identity's sessions when it is deactivated (kept, inactive) and when it is deleted (removed)", async () => {
    const identity = await identities.create(passwordIdentityBody());
    const { session, token } = await issue(identity.id);
    await identities.patch(identity.id, [{ op: 'replace', path: '/state', value: 'inactive' }]);
    await expect(sessions.authenticate(requestWith(token))).rejects.toMatchObject({ status: 401 });
    expect(await sessions.get(session.id, undefined)).toMatchObject({ id: session.id, active: false });

    await identities.delete(identity.id);
    await expect(sessions.get(session.id, undefined)).rejects.toMatchObject({ status: 404 });
  });
});
