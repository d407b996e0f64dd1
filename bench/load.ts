/**
 * The load generator: autocannon, in a process of its own (run.ts spawns it per case and run).
 * argv[2]: JSON config; prints one JSON line: { requests, seconds, rps, p50, p99, errors, non2xx, cpu }.
 */
import autocannon from 'autocannon';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { perRequest, readCpu } from './cpu.js';
import { AGGREGATE_BODY, LIST_FILTER, opportunity, randomStage, rng } from './data.js';

export interface LoadConfig {
  kind: 'W1' | 'W2' | 'W2m' | 'W3' | 'W4' | 'W5' | 'W6' | 'W7';
  /** http://127.0.0.1:port plus the objects' base path, e.g. …/api/v1/data or the reference's root. */
  base: string;
  token: string;
  connections: number;
  duration?: number;
  amount?: number;
  /** File with JSON { accounts: string[], ids: string[] }. */
  idsFile: string;
  seed: number;
  /** The server process under test: its CPU per request is read over the timed run (bench/cpu.ts). */
  serverPid?: number;
}

const cfg = JSON.parse(process.argv[2]) as LoadConfig;
const { accounts, ids } = JSON.parse(readFileSync(cfg.idsFile, 'utf8')) as {
  accounts: string[];
  ids: string[];
};
const r = rng(cfg.seed);
const url = new URL(cfg.base);
const path = url.pathname.replace(/\/$/, '');
const json = { 'content-type': 'application/json' };
type Req = { method: string; path: string; body?: string; headers?: Record<string, string> };

let setup: (req: Req) => Req;
let afterRun = () => undefined as void;
let n = cfg.seed * 1_000_000;
const cycle = (bodies: string[]) => {
  let i = 0;
  return () => bodies[i++ % bodies.length];
};
switch (cfg.kind) {
  case 'W1': {
    const next = cycle(Array.from({ length: 2000 }, () => JSON.stringify(opportunity(r, accounts, n++))));
    setup = (q) => ({
      ...q,
      method: 'POST',
      path: `${path}/opportunity`,
      headers: { ...q.headers, ...json },
      body: next(),
    });
    break;
  }
  case 'W2': // W2m: the same requests; the reference answers them with a multi-row INSERT (run.ts)
  case 'W2m': {
    const next = cycle(
      Array.from({ length: 8 }, () =>
        JSON.stringify({ records: Array.from({ length: 1000 }, () => opportunity(r, accounts, n++)) }),
      ),
    );
    setup = (q) => ({
      ...q,
      method: 'POST',
      path: `${path}/opportunity/batch`,
      headers: { ...q.headers, ...json },
      body: next(),
    });
    break;
  }
  case 'W3': {
    const p = `${path}/opportunity?filter=${encodeURIComponent(JSON.stringify(LIST_FILTER))}&sort=-close_date&limit=50&expand=account`;
    setup = (q) => ({ ...q, method: 'GET', path: p });
    break;
  }
  case 'W4':
    setup = (q) => ({
      ...q,
      method: 'GET',
      path: `${path}/opportunity/${ids[Math.floor(r() * ids.length)]}`,
    });
    break;
  case 'W5':
    setup = (q) => ({
      ...q,
      method: 'PATCH',
      path: `${path}/opportunity/${ids[Math.floor(r() * ids.length)]}`,
      headers: { ...q.headers, ...json },
      body: JSON.stringify({ stage: randomStage(r) }),
    });
    break;
  case 'W7': {
    // Each request moves one deal to the other stage (this process is W7's only writer, so it
    // knows where each deal is): every move runs a gate of two related-record items.
    const deals = JSON.parse(readFileSync(`${cfg.idsFile}.deals`, 'utf8')) as string[];
    // where the previous runs left the deals
    const at = new Map<string, string>(
      existsSync(`${cfg.idsFile}.stages`) ? JSON.parse(readFileSync(`${cfg.idsFile}.stages`, 'utf8')) : [],
    );
    afterRun = () => writeFileSync(`${cfg.idsFile}.stages`, JSON.stringify([...at]));
    setup = (q) => {
      const id = deals[Math.floor(r() * deals.length)];
      const to = (at.get(id) ?? 'open_a') === 'open_a' ? 'lost_b' : 'open_a';
      at.set(id, to);
      return {
        ...q,
        method: 'PATCH',
        path: `${path}/deal/${id}`,
        headers: { ...q.headers, ...json },
        body: JSON.stringify({ stage: to }),
      };
    };
    break;
  }
  case 'W6': {
    const body = JSON.stringify(AGGREGATE_BODY);
    setup = (q) => ({
      ...q,
      method: 'POST',
      path: `${path}/opportunity/aggregate`,
      headers: { ...q.headers, ...json },
      body,
    });
    break;
  }
}

const cpu0 = readCpu(cfg.serverPid);
const started = performance.now();
// With `amount`, autocannon only notices it is done on its next one-second tick: time the run
// to its last response, or counted cases would measure whole seconds.
let lastResponse = started;
const result = await new Promise<autocannon.Result>((resolve, reject) => {
  const instance = autocannon(
    {
      url: url.origin,
      connections: cfg.connections,
      duration: cfg.duration ?? 10,
      amount: cfg.amount,
      timeout: 120,
      headers: { authorization: `Bearer ${cfg.token}` },
      requests: [{ setupRequest: setup as never }],
    },
    (err, res) => (err ? reject(err as Error) : resolve(res)),
  );
  instance.on('response', () => (lastResponse = performance.now()));
});
const cpu = perRequest(cpu0, readCpu(cfg.serverPid), result['2xx']);
afterRun();
const seconds = ((cfg.amount ? lastResponse : performance.now()) - started) / 1000;
const ok = result['2xx'];
process.stdout.write(
  JSON.stringify({
    requests: ok,
    seconds,
    rps: ok / (cfg.amount ? seconds : result.duration),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    cpu,
  }) + '\n',
);
