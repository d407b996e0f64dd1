import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

/** What serve needs of the engine: its app, its readiness list and its close. */
export interface Servable {
  app: RequestListener;
  logger: Logger;
  readiness: { add(name: string, check: () => unknown): void };
  close(): Promise<void>;
}

export interface Serving {
  server: Server;
  port: number;
  /** Graceful stop; the same promise for every call. */
  shutdown(reason: string): Promise<void>;
}

export interface ServeOptions {
  port: number;
  host?: string;
  /** The longest shutdown waits for in-flight requests before closing their connections. */
  shutdownTimeoutMs: number;
}

/**
 * Serves the engine over HTTP and stops it gracefully:
 * 1. `/ready` answers 503 (a load balancer stops sending) and the listening socket closes;
 * 2. requests in flight finish; each response then closes its connection (`Connection: close`)
 *    and idle keep-alive connections are closed;
 * 3. after `shutdownTimeoutMs` whatever is still open is cut;
 * 4. `engine.close()`: background work stops, then the database closes, never under a request.
 */
export async function serve(
  engine: Servable,
  opts: ServeOptions,
  app: RequestListener = engine.app,
): Promise<Serving> {
  const log = engine.logger;
  let stopping: Promise<void> | null = null;
  engine.readiness.add('accepting', () => !stopping);
  const server = createServer((req, res) => {
    if (stopping) res.setHeader('Connection', 'close');
    app(req, res);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port, opts.host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const port = (server.address() as AddressInfo).port;

  async function drain(reason: string) {
    const started = Date.now();
    log.info({ reason }, 'shutting down: no new connections; finishing requests in flight');
    const closed = new Promise<void>((ok) => server.close(() => ok()));
    // A keep-alive connection whose request finished after close() began is idle now: close it.
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((ok) => {
      timer = setTimeout(() => ok(true), opts.shutdownTimeoutMs);
    });
    try {
      if (await Promise.race([closed.then(() => false), timedOut])) {
        log.warn(
          { waitedMs: opts.shutdownTimeoutMs },
          'requests still running after the shutdown timeout: closing their connections',
        );
        server.closeAllConnections();
        await closed;
      }
    } finally {
      clearInterval(sweep);
      clearTimeout(timer);
    }
    await engine.close();
    log.info({ ms: Date.now() - started }, 'shutdown complete');
  }

  return {
    server,
    port,
    shutdown: (reason) => (stopping ??= drain(reason)),
  };
}
