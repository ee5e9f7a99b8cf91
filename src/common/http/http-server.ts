import { createServer, RequestListener, Server, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { errorEnvelope } from '../errors/api-error';

/**
 * The Node HTTP servers behind both ports, with the same limits, timeouts and early-error answers: what Node refuses
 * before any application code runs (a head over the size limit, a malformed request line or header, a body that
 * never arrives) is still answered with Kratos's error envelope.
 */

/** Request line plus headers; 500 UUIDs in `ids=` take about 20 KiB, Kratos (Go) reads up to 1 MiB. */
export const MAX_HEAD_BYTES = 64 * 1024;
/** Longer URLs are a 414; they must stay below MAX_HEAD_BYTES to get there. */
export const MAX_URL_BYTES = 32 * 1024;

export interface HttpServerLimits {
  /** A request must have arrived completely (head and body) within this time; otherwise 408. */
  requestTimeoutMs: number;
}

export function createHttpServer(handler: RequestListener, limits: HttpServerLimits): Server {
  const server = createServer(
    {
      maxHeaderSize: MAX_HEAD_BYTES,
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: Math.min(limits.requestTimeoutMs, 10_000),
      // How often Node checks those two timeouts (its default, 30 s, would let a stalled body live that much longer).
      connectionsCheckingInterval: Math.min(1_000, limits.requestTimeoutMs),
    },
    handler,
  );
  server.keepAliveTimeout = 72_000;
  return server;
}

/** Node's parser error codes that mean "the client sent something that is not valid HTTP/1.1". */
function statusOfClientError(err: NodeJS.ErrnoException): number {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  if (err.code === 'HPE_HEADER_OVERFLOW') return 431;
  return 400;
}

/**
 * Answers a request that Node's HTTP parser refused, with the envelope, and closes the connection. A connection that
 * is already answering (bytes written) or gone is closed without a word, as is one that never spoke HTTP at all.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const status = statusOfClientError(err);
  const headWasWritten = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (socket.writable && !headWasWritten) {
    const body = JSON.stringify(errorEnvelope(status, { reason: reasonOf(err, status) }));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/json\r\n' +
        'Cache-Control: private, no-cache, no-store, must-revalidate\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy();
}

function reasonOf(err: NodeJS.ErrnoException, status: number): string {
  if (status === 408) return 'The request did not arrive completely in time.';
  if (status === 431) return `The request line and headers are larger than ${MAX_HEAD_BYTES} bytes.`;
  // llhttp's reason ("Invalid header value char"), without the raw bytes it may quote.
  const reason = (err as { reason?: string }).reason;
  return `The request is not valid HTTP/1.1${reason ? `: ${reason}` : ''}.`;
}
