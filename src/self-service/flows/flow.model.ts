export type FlowKind = 'login' | 'registration' | 'settings' | 'recovery';
export type FlowType = 'api' | 'browser';

export interface Flow {
  id: string;
  kind: FlowKind;
  type: FlowType;
  state: string;
  identityId: string | null;
  sessionId: string | null;
  requestUrl: string;
  returnTo: string | null;
  context: Record<string, unknown>;
  submitCount: number;
  expiresAt: Date;
  issuedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}
