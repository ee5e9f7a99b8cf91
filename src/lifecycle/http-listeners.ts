import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorEnvelope } from '../common/errors/api-error';
import { answerClientError, createHttpServer, HttpServerLimits } from '../common/http/http-server';
import type { LifecycleState } from './lifecycle-state';

/**
 * The process's listeners, opened before the application exists: while it starts (waiting for the database,
 * migrating) they answer the health probes themselves (alive 200, ready 503) and everything else 503; once it serves
 * they hand every request to its router. While closing, every answer carries `Connection: close`, so that kept-alive
 * clients move to another replica instead of finding their connection gone.
 */
export class HttpListeners {
  private handler: RequestListener = (req, res) => answerWhileStarting(req, res);
  readonly servers: Server[] = [];
  /** Answers not yet sent: those in flight when closing begins still close their connections. */
  private readonly inFlight = new Set<ServerResponse>();

  constructor(private readonly lifecycle: LifecycleState) {}

  /** Opens the public and the admin listener (one, when both have the same port number). */
  async listen(publicPort: number, adminPort: number, host: string, limits: HttpServerLimits): Promise<{ publicPort: number; adminPort: number }> {
    const publicBound = await this.open(publicPort, host, limits);
    const adminBound = adminPort === publicPort ? publicBound : await this.open(adminPort, host, limits);
    return { publicPort: publicBound, adminPort: adminBound };
  }

  private async open(port: number, host: string, limits: HttpServerLimits): Promise<number> {
    const server = createHttpServer((req, res) => this.dispatch(req, res), limits);
    server.on('clientError', answerClientError);
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  /** From now on, requests go to the application's router. */
  serve(handler: RequestListener): void {
    this.handler = handler;
  }

  /**
   * Stops accepting connections, closes idle kept-alive ones, and waits for the requests in flight (their answers
   * close their connections); after `timeoutMs`, whatever is left is cut.
   */
  async close(timeoutMs: number): Promise<void> {
    for (const res of this.inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
    const closed = Promise.all(this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    // A connection whose last answer went out before closing began may still be kept alive: close it once idle.
    const sweep = setInterval(() => this.servers.forEach((server) => server.closeIdleConnections()), 50);
    for (const server of this.servers) server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const cut = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        for (const server of this.servers) server.closeAllConnections();
        resolve();
      }, timeoutMs);
    });
    await Promise.race([closed, cut]);
    clearTimeout(timer);
    clearInterval(sweep);
  }

  private dispatch(req: IncomingMessage, res: ServerResponse): void {
    if (this.lifecycle.phase === 'closing') res.shouldKeepAlive = false;
    this.inFlight.add(res);
    res.once('close', () => this.inFlight.delete(res));
    this.handler(req, res);
  }
}

/** What the listeners answer before the application serves: the process is alive, not ready. */
function answerWhileStarting(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0];
  const alive = path === '/health/alive';
  const body = alive ? { status: 'ok' } : errorEnvelope(503, { reason: 'The service is starting.' });
  const text = JSON.stringify(body);
  res.writeHead(alive ? 200 : 503, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'private, no-cache, no-store, must-revalidate',
    'content-length': Buffer.byteLength(text),
    ...(alive ? {} : { 'retry-after': '5' }),
  });
  res.end(req.method === 'HEAD' ? undefined : text);
  req.resume();
}
