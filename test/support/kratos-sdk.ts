import { Configuration, IdentityApi } from '@ory/kratos-client';
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
