import { Injectable } from '@nestjs/common';

/**
 * What happens to identities that other modules must act on in the same transaction (the session module ends the
 * identity's sessions). Identity announces; it does not know who listens, so it imports no other domain.
 *
 * Hand-written rather than @nestjs/event-emitter: listeners here must run inside the caller's database transaction
 * and their errors must roll it back, which is a plain awaited loop; an emitter library would add nothing to that.
 */
export interface IdentityLifecycleEvents {
  /** The identity is about to be deleted (its rows still exist). */
  'identity.deleting': { identityId: string };
  /** The identity went from active to inactive. */
  'identity.deactivated': { identityId: string };
}

export type IdentityLifecycleListener<K extends keyof IdentityLifecycleEvents> = (event: IdentityLifecycleEvents[K]) => Promise<void>;

@Injectable()
export class IdentityLifecycleHooks {
  private readonly listeners: { [K in keyof IdentityLifecycleEvents]: Array<IdentityLifecycleListener<K>> } = {
    'identity.deleting': [],
    'identity.deactivated': [],
  };

  on<K extends keyof IdentityLifecycleEvents>(event: K, listener: IdentityLifecycleListener<K>): void {
    this.listeners[event].push(listener);
  }

  /** Runs every listener in turn, in the caller's transaction; the first error propagates (and rolls it back). */
  async emit<K extends keyof IdentityLifecycleEvents>(event: K, payload: IdentityLifecycleEvents[K]): Promise<void> {
    for (const listener of this.listeners[event]) await listener(payload);
  }
}
