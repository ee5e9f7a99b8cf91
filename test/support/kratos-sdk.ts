import { Configuration, FrontendApi, IdentityApi } from '@ory/kratos-client';
import { AxiosError } from 'axios';

/**
 * The official SDK's IdentityApi, pointed at a test app's admin port, as a user of Kratos would set it up. The
 * `oryAccessToken` security scheme is an API key in the Authorization header, so the key goes into `apiKey`.
 */
export function identityApi(adminUrl: string, authorization?: string): IdentityApi {
  return new IdentityApi(new Configuration({ basePath: adminUrl, ...(authorization ? { apiKey: authorization } : {}) }));
}

/** Status and body of a failed SDK call (axios rejects on non-2xx). */
export async function sdkError(call: Promise<unknown>): Promise<{ status: number; body: { error: Record<string, unknown> } }> {
  try {
    await call;
  } catch (err) {
    const e = err as AxiosError<{ error: Record<string, unknown> }>;
    if (e.response) return { status: e.response.status, body: e.response.data };
    throw err;
  }
  throw new Error('expected the call to fail');
}

/** A native password registration through the SDK (a fresh flow, then its submission); the SDK's axios call. */
export async function submitPasswordRegistration(frontend: FrontendApi, email: string, password: string) {
  const flow = await frontend.createNativeRegistrationFlow();
  return frontend.updateRegistrationFlow({ flow: flow.data.id, updateRegistrationFlowBody: { method: 'password', traits: { email }, password } });
}

/** Registers and returns the answer with its token and session, which the SDK types as optional. */
export async function registerWithPassword(frontend: FrontendApi, email: string, password: string) {
  const { data } = await submitPasswordRegistration(frontend, email, password);
  return { ...data, session_token: data.session_token!, session: data.session! };
}

/** A native password login through the SDK (a fresh flow, then its submission); the SDK's axios call. */
export async function submitPasswordLogin(frontend: FrontendApi, identifier: string, password: string) {
  const flow = await frontend.createNativeLoginFlow();
  return frontend.updateLoginFlow({ flow: flow.data.id, updateLoginFlowBody: { method: 'password', identifier, password } });
}
