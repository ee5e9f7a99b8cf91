import { ApiError } from '../../src/common/errors/api-error';
import { FlowRepository } from '../../src/self-service/flows/flow.repository';
import { FlowService } from '../../src/self-service/flows/flow.service';
import { IdentityService } from '../../src/identity/identity.service';
import { passwordIdentityBody } from '../support/fixtures';
import { ServiceContext, startServiceContext } from '../support/service-context';

describe('self-service flows (service level)', () => {
  let ctx: ServiceContext;
  let flows: FlowService;
  beforeAll(async () => {
    ctx = await startServiceContext({ env: { SELFSERVICE_FLOW_LIFESPAN: '10m' } });
    flows = ctx.get(FlowService);
  });
  afterAll(() => ctx?.close());

  const newLoginFlow = (identityId?: string) => flows.create('login', '/self-service/login/api', { state: 'choose_method', identityId });
  const replacement = () => newLoginFlow();

  it('serves a flow until its lifespan ends, then answers 410 pointing at a replacement flow', async () => {
    const flow = await newLoginFlow();
    ctx.clock.advance(10 * 60_000 - 1);
    await expect(flows.loadLive('login', flow.id, { replacement })).resolves.toMatchObject({ id: flow.id });

    ctx.clock.advance(1);
    const error = (await flows.loadLive('login', flow.id, { replacement }).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(410);
    expect(error.id).toBe('self_service_flow_expired');
    expect(error.extra?.use_flow_id).toEqual(expect.any(String));
    expect(error.extra?.use_flow_id).not.toBe(flow.id);
  });

  it("refuses a flow of another kind as unknown (404) and another identity's flow (403)", async () => {
    const owner = await ctx.get(IdentityService).create(passwordIdentityBody());
    const flow = await newLoginFlow(owner.id);
    await expect(flows.loadLive('registration', flow.id)).rejects.toMatchObject({ status: 404 });
    await expect(flows.loadLive('login', flow.id, { ownedBy: '00000000-0000-4000-8000-000000000001' })).rejects.toMatchObject({ status: 403 });
    await expect(flows.loadLive('login', flow.id, { ownedBy: owner.id })).resolves.toMatchObject({ id: flow.id });
  });

  it('prunes flows a day after they expired, at most every ten minutes, when flows are created', async () => {
    const repo = ctx.get(FlowRepository);
    // The first create of this context pruned already; one that expires now is kept for a day.
    const old = await newLoginFlow();
    ctx.clock.advance(10 * 60_000 + 24 * 3600_000 - 1);
    await newLoginFlow();
    await new Promise((r) => setTimeout(r, 100));
    expect(await repo.findById(old.id)).not.toBeNull();

    ctx.clock.advance(10 * 60_000 + 1);
    await newLoginFlow();
    const deadline = Date.now() + 5_000;
    while ((await repo.findById(old.id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await repo.findById(old.id)).toBeNull();
  });
});
