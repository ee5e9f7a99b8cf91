import { buildOpenApiDocument, createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/app-config';

/** The OpenAPI document as committed: generated from an in-memory instance, pretty-printed, newline-terminated. */
export async function renderOpenApiDocument(): Promise<string> {
  const config = loadConfig({
    DATABASE_URL: 'sqlite::memory:',
    EVENTS_RELAY_ENABLED: 'false',
    LOG_LEVEL: 'silent',
    // Keep machine-specific values out of the document.
    PUBLIC_BASE_URL: 'http://127.0.0.1:4433',
    ADMIN_BASE_URL: 'http://127.0.0.1:4434',
  });
  const app = await createApp(config, { logger: false });
  try {
    return `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
  } finally {
    await app.close();
  }
}
