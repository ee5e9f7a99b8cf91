import { Configuration, IdentityApi } from '@ory/kratos-client';
import { AxiosError } from 'axios';

/** The official SDK's IdentityApi, pointed at a test app's admin port, as a user of Kratos would set it up. */
export function identityApi(adminUrl: string, accessToken?: string): IdentityApi {
  return new IdentityApi(new Configuration({ basePath: adminUrl, ...(accessToken ? { accessToken } : {}) }));
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
