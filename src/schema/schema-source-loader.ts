import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** Reads an identity schema from a configured URL: `file://`, `base64://` (standard base64 of the JSON) or `http(s)://`. */
export async function loadSchemaSource(url: string, timeoutMs = 10_000): Promise<string> {
  if (url.startsWith('base64://')) {
    return Buffer.from(url.slice('base64://'.length), 'base64').toString('utf8');
  }
  if (url.startsWith('file://')) {
    // Accept both file:///abs/path and the common but non-standard file://relative/path.
    const path = url.startsWith('file:///') ? fileURLToPath(url) : url.slice('file://'.length);
    return readFile(path, 'utf8');
  }
  if (/^https?:\/\//.test(url)) {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
    return response.text();
  }
  throw new Error(`unsupported schema URL scheme: ${url}`);
}
