import { randomUUID } from 'node:crypto';
import { IdentityService } from '../../src/identity/identity.service';
import { IdentityReader } from '../../src/identity/identity-reader';
import { PasswordHasherService } from '../../src/identity/credentials/password-hasher.service';
import { FIXTURE_PASSWORD, passwordIdentityBody, uniqueEmail } from '../support/fixtures';
import { ServiceContext, startServiceContext } from '../support/service-context';

describe('credential rules (service level)', () => {
  let ctx: ServiceContext;
  let identities: IdentityService;
  beforeAll(async () => {
    ctx = await startServiceContext();
    identities = ctx.get(IdentityService);
  });
  afterAll(() => ctx?.close());

  /** An identity with a password and Google logins; subjects are made unique, returned in the given order. */
  const withOidc = async (...names: string[]) => {
    const run = randomUUID().slice(0, 8);
    const subjects = names.map((n) => `${n}-${run}`);
    const identity = await identities.create({
      ...passwordIdentityBody(uniqueEmail('oidc')),
      credentials: {
        password: { config: { password: FIXTURE_PASSWORD } },
        oidc: { config: { providers: subjects.map((subject) => ({ provider: 'google', subject })) } },
      },
    });
    return { identity, subjects };
  };

  it('refuses to remove the last first factor, and removes a password once another first factor exists', async () => {
    const only = await identities.create(passwordIdentityBody());
    await expect(identities.deleteCredential(only.id, 'password', undefined)).rejects.toMatchObject({
      status: 400,
      reason: 'You cannot remove the last first factor credential.',
    });

    const { identity: both } = await withOidc('s-1');
    await identities.deleteCredential(both.id, 'password', undefined);
    const password = (await identities.get(both.id)).credentials.find((c) => c.type === 'password');
    // Kratos keeps the row and empties its config, so the identifiers stay taken.
    expect(password?.config).toEqual({});
  });

  it('removes one OIDC provider by its identifier, and the credential with its last provider', async () => {
    const { identity, subjects } = await withOidc('s-1', 's-2');
    await expect(identities.deleteCredential(identity.id, 'oidc', undefined)).rejects.toMatchObject({ status: 400 });
    await expect(identities.deleteCredential(identity.id, 'oidc', 'google:nobody')).rejects.toMatchObject({ status: 404 });

    await identities.deleteCredential(identity.id, 'oidc', `google:${subjects[0]}`);
    expect((await identities.get(identity.id)).credentials.find((c) => c.type === 'oidc')?.identifiers).toEqual([`google:${subjects[1]}`]);
    await identities.deleteCredential(identity.id, 'oidc', `google:${subjects[1]}`);
    expect((await identities.get(identity.id)).credentials.map((c) => c.type)).toEqual(['password']);
  });

  it('answers 404 in Kratos\'s words for a type the identity lacks, reading "lookup" as lookup_secret', async () => {
    const identity = await identities.create(passwordIdentityBody());
    await expect(identities.deleteCredential(identity.id, 'lookup', undefined)).rejects.toMatchObject({
      status: 404,
      reason: 'You tried to remove a lookup but this user have no lookup set up.',
    });
    await expect(identities.deleteCredential(identity.id, 'webauthn', undefined)).rejects.toMatchObject({ status: 404 });
  });

  it('upgrades a credential config only while it is still the one read (a concurrent password change wins)', async () => {
    const identity = await identities.create(passwordIdentityBody());
    const read = (await identities.get(identity.id)).credentials.find((c) => c.type === 'password')!;
    const hasher = ctx.get(PasswordHasherService);
    await identities.setPassword(identity.id, await hasher.hash('a-newer-password-that-won'));

    const upgraded = await identities.upgradeCredentialConfig(identity.id, 'password', read.config, { hashed_password: 'stale' }, ctx.clock.now());
    expect(upgraded).toBe(false);
    const current = (await ctx.get(IdentityReader).findById(identity.id, { credentials: true }))!.credentials.find((c) => c.type === 'password')!;
    expect(await hasher.verify('a-newer-password-that-won', current.config.hashed_password as string)).toBe(true);
  });
});
