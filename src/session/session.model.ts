/** A session as the services work with it. `active` is the stored flag; whether it is usable also depends on expiry. */

export type AuthenticatorAssuranceLevel = 'aal0' | 'aal1' | 'aal2' | 'aal3';

export interface AuthenticationMethod {
  method: string;
  aal: AuthenticatorAssuranceLevel;
  completedAt: Date;
  provider?: string;
}

export interface SessionDevice {
  id: string;
  ipAddress: string | null;
  userAgent: string | null;
  location: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Session {
  id: string;
  identityId: string;
  tokenHash: string;
  active: boolean;
  expiresAt: Date;
  authenticatedAt: Date;
  issuedAt: Date;
  aal: AuthenticatorAssuranceLevel;
  authenticationMethods: AuthenticationMethod[];
  devices: SessionDevice[];
  createdAt: Date;
  updatedAt: Date;
}

/** Usable now: not revoked and not expired (the identity's state is checked separately). */
export function isLive(session: Session, now = new Date()): boolean {
  return session.active && session.expiresAt.getTime() > now.getTime();
}

/** Kratos derives the AAL from the methods used: any second factor on top of a first one is aal2. */
export function assuranceLevel(methods: AuthenticationMethod[]): AuthenticatorAssuranceLevel {
  if (methods.length === 0) return 'aal0';
  const first = methods.some((m) => m.aal === 'aal1');
  const second = methods.some((m) => m.aal === 'aal2');
  return first && second ? 'aal2' : 'aal1';
}
