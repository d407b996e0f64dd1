import { execSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time per request, by process: the server under test, the Postgres server's processes, and
 * the whole machine. A throughput ratio says how much slower; this says whose CPU the difference
 * is (on 2 cores the server, Postgres and the load generator share them). Linux /proc only;
 * elsewhere every reading is null.
 */
let tickUs = 10_000;
try {
  tickUs = 1e6 / Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim());
} catch {
  /* not Linux: readings below are null anyway */
}

/**
 * One process's /proc/<pid>/stat: its command and the fields after it (the command, in
 * parentheses, may hold spaces; f[0] is proc(5)'s field 3). Null when it is gone or /proc is absent.
 */
function statOf(pid: number | string): { command: string; f: string[] } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    return { command: stat.slice(stat.indexOf('(') + 1, close), f: stat.slice(close + 2).split(' ') };
  } catch {
    return null;
  }
}

/**
 * utime and stime of one process (proc(5) fields 14, 15), in µs, and its main thread's (the
 * event loop: the rest is V8's garbage collector and compiler threads and libuv's pool).
 */
function processUs(pid: number): { user: number; sys: number; main: number } | null {
  const s = statOf(pid);
  const t = statOf(`${pid}/task/${pid}`);
  return (
    s && {
      user: Number(s.f[11]) * tickUs,
      sys: Number(s.f[12]) * tickUs,
      main: t ? (Number(t.f[11]) + Number(t.f[12])) * tickUs : NaN,
    }
  );
}

/**
 * CPU of every process whose command is `postgres`, by pid: utime, stime and, for the postmaster,
 * its exited children's (cutime, cstime; fields 14–17), so backends that end between two readings
 * still count.
 */
function postgresUs(): Map<number, number> | null {
  const out = new Map<number, number>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  for (const pid of pids) {
    const s = statOf(pid); // null: exited meanwhile
    if (s?.command !== 'postgres') continue;
    out.set(Number(pid), (Number(s.f[11]) + Number(s.f[12]) + Number(s.f[13]) + Number(s.f[14])) * tickUs);
  }
  return out;
}

/**
 * CPU the Postgres processes used between two readings: a backend that ended in between moved its
 * whole life into the postmaster's cutime, so sum minus sum counts it right; one new in the second
 * reading counts whole.
 */
function postgresDelta(a: Map<number, number> | null, b: Map<number, number> | null): number | null {
  if (!a || !b) return null;
  let total = 0;
  for (const v of b.values()) total += v;
  for (const v of a.values()) total -= v;
  return total;
}

/** Busy time of all CPUs (everything but idle and iowait), in µs. */
function machineUs(): number | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const busy = f.reduce((a, b) => a + b, 0) - f[3] - f[4];
    return busy * tickUs;
  } catch {
    return null;
  }
}

export interface CpuReading {
  server: { user: number; sys: number; main: number } | null;
  postgres: Map<number, number> | null;
  machine: number | null;
  at: number;
}
export const readCpu = (serverPid?: number): CpuReading => ({
  server: serverPid ? processUs(serverPid) : null,
  postgres: postgresUs(),
  machine: machineUs(),
  at: performance.now(),
});

/** µs of CPU per request between two readings, and how busy the machine's CPUs were (0–1 each). */
export interface CpuPerRequest {
  server: number | null;
  /** The server's share of it in the kernel (system time: sockets, memory). */
  serverSys: number | null;
  /** The server's main thread (its event loop); the rest of `server` ran on helper threads. */
  serverMain: number | null;
  postgres: number | null;
  machine: number | null;
  /** Busy CPU time over wall time: 2.0 is both cores of a 2-core machine saturated. */
  busyCores: number | null;
}
export function perRequest(a: CpuReading, b: CpuReading, requests: number): CpuPerRequest {
  const d = (x: number | null, y: number | null) =>
    x === null || y === null || !requests ? null : (y - x) / requests;
  const wallUs = (b.at - a.at) * 1000;
  const pg = postgresDelta(a.postgres, b.postgres);
  return {
    server: a.server && b.server ? d(a.server.user + a.server.sys, b.server.user + b.server.sys) : null,
    serverSys: a.server && b.server ? d(a.server.sys, b.server.sys) : null,
    serverMain: a.server && b.server ? d(a.server.main, b.server.main) : null,
    postgres: pg === null || !requests ? null : pg / requests,
    machine: d(a.machine, b.machine),
    busyCores: a.machine === null || b.machine === null ? null : (b.machine - a.machine) / wallUs,
  };
}
