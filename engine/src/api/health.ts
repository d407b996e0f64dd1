import { Router } from 'express';
import type { Logger } from 'pino';

/** A readiness check: resolves (to anything but `false`) when its part of the engine can serve. */
export type ReadinessCheck = () => unknown;

/** How long one check may take before `/ready` counts it as failed. */
const CHECK_TIMEOUT_MS = 3_000;

/**
 * The list `/ready` walks. The engine registers the database; the start-up code registers
 * "not shutting down"; later parts (the migrator, the job runner) add their own.
 */
export class Readiness {
  private checks = new Map<string, ReadinessCheck>();
  constructor(private logger: Logger) {}

  /** Adds (or replaces) the check of that name. */
  add(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  names(): string[] {
    return [...this.checks.keys()];
  }

  /** Runs every check at once; each answers ok or failed (the reason goes to the log only). */
  async run(): Promise<{ ready: boolean; checks: Record<string, 'ok' | 'failed'> }> {
    const results = await Promise.all(
      [...this.checks].map(async ([name, check]) => [name, await this.one(name, check)] as const),
    );
    return {
      ready: results.every(([, ok]) => ok),
      checks: Object.fromEntries(results.map(([n, ok]) => [n, ok ? 'ok' : 'failed'])),
    };
  }

  private async one(name: string, check: ReadinessCheck): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, fail) => {
        timer = setTimeout(
          () => fail(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      });
      const ok = (await Promise.race([Promise.resolve().then(check), timeout])) !== false;
      if (!ok) this.logger.warn({ check: name }, 'readiness check failed');
      return ok;
    } catch (err) {
      this.logger.warn({ check: name, err }, 'readiness check failed');
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * `/health`: the process is alive and serving HTTP (a liveness probe; it asks nothing else).
 * `/ready`: every readiness check passes, so a load balancer may send traffic (503 otherwise,
 * naming which check failed, never why).
 */
export function healthRouter(readiness: Readiness): Router {
  const r = Router();
  r.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  r.get('/ready', async (_req, res) => {
    const { ready, checks } = await readiness.run();
    res.setHeader('Cache-Control', 'no-store');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks });
  });
  return r;
}
