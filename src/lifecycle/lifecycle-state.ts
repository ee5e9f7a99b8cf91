/**
 * Where the process is in its life, for readiness and for the listeners: `starting` until the application serves
 * (the database may not be reachable yet), `serving`, then `draining` from SIGTERM (still serving, but not ready, so
 * that Kubernetes takes the pod out of its endpoints) and `closing` (answering what is in flight, then gone).
 */
export type LifecyclePhase = 'starting' | 'serving' | 'draining' | 'closing';

export class LifecycleState {
  phase: LifecyclePhase = 'starting';

  /** Ready for traffic: serving and not on the way out. */
  get accepting(): boolean {
    return this.phase === 'serving';
  }
}
