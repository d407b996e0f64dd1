import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

/** What a worker tells the primary once it serves. */
export interface ReadyMessage {
  tessera: 'ready';
  port: number;
}

const isReady = (m: unknown): m is ReadyMessage =>
  typeof m === 'object' && m !== null && (m as { tessera?: unknown }).tessera === 'ready';

/** The first worker seeds the demo tenant and runs the engine migrations; the others wait for it. */
export const isFirstWorker = () => cluster.isWorker && cluster.worker?.id === 1;

/** In a worker: tell the primary this process serves. */
export function reportReady(port: number) {
  if (cluster.isWorker) process.send?.({ tessera: 'ready', port } satisfies ReadyMessage);
}

/**
 * The primary of `WORKERS=N npm start`: forks N engine processes that share one listening port
 * (node:cluster hands each new connection to the next worker). The first worker starts alone,
 * so one process migrates and seeds; the rest start once it serves. A worker that dies is
 * replaced after a second; SIGTERM / SIGINT stop every worker gracefully (a second: at once).
 * The primary holds no database connection and serves nothing itself.
 */
export async function runPrimary(workers: number, log: Logger): Promise<void> {
  let stopping = false;
  const fork = () =>
    new Promise<Worker>((ok, fail) => {
      const w = cluster.fork();
      const onExit = (code: number | null) =>
        fail(new Error(`worker ${w.id} exited with ${code} while starting`));
      w.once('exit', onExit);
      w.on('message', (m: unknown) => {
        if (!isReady(m)) return;
        w.off('exit', onExit);
        ok(w);
      });
    });
  const stopAll = (signal: NodeJS.Signals) => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
  };
  let signals = 0;
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    if (++signals > 1) {
      log.warn({ signal }, 'second signal: stopping every worker without waiting');
      stopAll('SIGKILL');
      process.exit(1);
    }
    log.info({ signal }, 'stopping every worker');
    // Workers ignore SIGINT (a terminal's Ctrl-C reaches them too): SIGTERM is the one stop.
    stopAll('SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    await fork();
    await Promise.all(Array.from({ length: workers - 1 }, fork));
  } catch (e) {
    // A worker that cannot start (database down, port taken) printed why; stop the others.
    stopping = true;
    stopAll('SIGTERM');
    throw e;
  }
  // From here on a worker that dies is replaced (one that fails to start stops them all, above).
  cluster.on('exit', (w, code, signal) => {
    const left = Object.keys(cluster.workers ?? {}).length;
    if (stopping) {
      if (left === 0) process.exit(0);
      return;
    }
    log.error({ worker: w.id, code, signal }, 'a worker stopped unexpectedly: starting another in 1 s');
    setTimeout(() => void (stopping ? undefined : cluster.fork()), 1000);
  });
  log.info({ workers }, `${workers} engine processes serve the same port`);
}
