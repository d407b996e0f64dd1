import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

/**
 * The process's logger: JSON lines on stdout (one object per line, for a log collector), at
 * LOG_LEVEL. On a terminal, and only where pino-pretty is installed (a devDependency, so after
 * `npm install`, never in a production install), the same lines are printed readably.
 */
export async function createLogger(level: LogLevel): Promise<Logger> {
  const options = { level, base: { pid: process.pid } };
  if (process.stdout.isTTY) {
    const pretty = await prettyStream();
    if (pretty) return pino(options, pretty);
  }
  return pino(options);
}

async function prettyStream(): Promise<DestinationStream | null> {
  try {
    const mod = (await import('pino-pretty')) as unknown as {
      default: (o: Record<string, unknown>) => DestinationStream;
    };
    return mod.default({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' });
  } catch {
    return null;
  }
}
