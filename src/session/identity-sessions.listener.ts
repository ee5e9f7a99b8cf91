import { Injectable, OnModuleInit } from '@nestjs/common';
import { IdentityLifecycleHooks } from '../identity/identity-lifecycle-hooks';
import { SessionLifecycleService } from './session-lifecycle.service';

/** Ends an identity's sessions when it is deactivated (kept, inactive) or deleted (removed), in the same transaction. */
@Injectable()
export class IdentitySessionsListener implements OnModuleInit {
  constructor(
    private readonly hooks: IdentityLifecycleHooks,
    private readonly sessions: SessionLifecycleService,
  ) {}

  onModuleInit(): void {
    this.hooks.on('identity.deleting', async ({ identityId }) => {
      await this.sessions.revokeAllForIdentity(identityId, 'identity_deleted', { remove: true });
    });
    this.hooks.on('identity.deactivated', async ({ identityId }) => {
      await this.sessions.revokeAllForIdentity(identityId, 'identity_deactivated');
    });
  }
}
