import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** Node with tsx's loader (no tsx CLI wrapper process: IPC and --cpu-prof reach the script itself). */
const tsx = (root: string, file: string, args: string[] = [], nodeFlags: string[] = []) => [
  ...nodeFlags,
  '--import',
  'tsx',
  join(root, file),
  ...args,
];

/** Runs a bench script to completion; resolves with its stdout. */
export function runChild(
  root: string,
  file: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  nodeFlags: string[] = [],
): Promise<string> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, tsx(root, file, args, nodeFlags), {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => {
      err += d;
      if (process.env.BENCH_VERBOSE) process.stderr.write(d);
    });
    p.on('exit', (code) =>
      code === 0 ? res(out) : rej(new Error(`${file} exited ${code}: ${err.slice(-2000)}`)),
    );
  });
}
export const lastJson = <T>(out: string) => JSON.parse(out.trim().split('\n').pop()!) as T;

export interface Server {
  proc: ChildProcess;
  /** Spawn → `READY` printed (listening), in ms. */
  bootMs: number;
  /** The number the server printed after READY (bench/servers/tessera.ts: its own start to listening, imports loaded). */
  readyMs: number;
  ask<T = Record<string, unknown>>(op: string, args?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

/** Starts a server script with an IPC channel; resolves once it prints READY. */
export function spawnServer(
  root: string,
  file: string,
  env: Record<string, string | undefined>,
  nodeFlags: string[] = [],
): Promise<Server> {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const proc = spawn(process.execPath, tsx(root, file, [], nodeFlags), {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let err = '';
    let n = 0;
    const waiting = new Map<number, (m: Record<string, unknown>) => void>();
    proc.on('message', (m: { id: number }) => waiting.get(m.id)?.(m as never));
    proc.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
    proc.on('exit', (code) => code && rej(new Error(`${file} exited ${code}: ${err}`)));
    proc.stdout!.on('data', (d: Buffer) => {
      if (!String(d).includes('READY')) return;
      res({
        proc,
        bootMs: performance.now() - t0,
        readyMs: Number(/READY (\d+)/.exec(String(d))?.[1] ?? NaN),
        ask: (op, args) =>
          new Promise((ok, no) => {
            const id = ++n;
            waiting.set(id, (m) => (m.ok ? ok(m as never) : no(new Error(String(m.error)))));
            proc.send({ ...args, op, id });
          }),
        stop: () =>
          new Promise((done) => {
            if (proc.exitCode !== null) return done();
            proc.once('exit', () => done());
            proc.kill('SIGTERM');
          }),
      });
    });
  });
}
