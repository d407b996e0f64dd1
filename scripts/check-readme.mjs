// CI: runs README.md's curl walk-through, as pasted, against `npm start` on a fresh data folder.
// Every curl must succeed; a curl without -f must be an expected refusal (a 4xx problem+json).
// It also checks that `npm start` serves the API and the studio from the compiled build, with no
// tsx process. Usage: node scripts/check-readme.mjs (after npm ci; npm start builds if needed).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const HEADING = '## A walk through the API with curl';

function fail(msg) {
  console.error(`README check: ${msg}`);
  process.exitCode = 1;
  throw new Error(msg);
}

/** The first ```bash block after the walk-through's heading. */
function walkThrough(readme) {
  const at = readme.indexOf(HEADING);
  if (at < 0) fail(`no "${HEADING}" section`);
  const m = /```bash\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!m) fail('no ```bash block in the walk-through');
  return m[1];
}

const freePort = () =>
  new Promise((ok, no) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.on('error', no);
  });

/** Wraps curl: records every call's status; a call without -f passes only as a 4xx problem. */
const PREAMBLE = readFileSync(join(ROOT, 'scripts/check-readme.bash'), 'utf8');

async function main() {
  const block = walkThrough(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  const work = mkdtempSync(join(tmpdir(), 'tessera-readme-'));
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    TESSERA_DATA_DIR: join(work, 'data'),
    TESSERA_DEMO_TOKEN: 'demo-token',
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL; // a fresh embedded database, as on a fresh machine
  // Its own process group, so the signal at the end reaches npm, its shell and the engine.
  const engine = spawn('npm', ['start'], { cwd: ROOT, env, stdio: 'inherit', detached: true });
  const exited = new Promise((ok) => engine.on('exit', (code, signal) => ok({ code, signal })));
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      const res = await fetch(`${base}/ready`).catch(() => null);
      if (res?.ok) break;
      if (i > 600) fail('the engine did not become ready in 10 minutes');
      if (engine.exitCode !== null) fail(`npm start exited with ${engine.exitCode}`);
      await new Promise((ok) => setTimeout(ok, 1000));
    }
    checkNoTsx(engine.pid);
    const studio = await fetch(`${base}/`);
    const html = await studio.text();
    if (!studio.ok || !html.includes('<div id="app"'))
      fail(`GET / does not serve the studio (${studio.status})`);

    const log = join(work, 'curl.log');
    writeFileSync(join(work, 'walk.sh'), PREAMBLE + block);
    execFileSync('bash', [join(work, 'walk.sh')], {
      cwd: work,
      env: {
        ...process.env,
        PORT: String(port),
        CURL_LOG: log,
        TOKEN: '',
        PREAMBLE_LINES: String(PREAMBLE.split('\n').length - 1),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    const refusals = calls.filter((c) => c.endsWith('checked=0'));
    console.log(
      `README check: ${calls.length} curl calls, ${calls.length - refusals.length} succeeded, ${refusals.length} expected refusal(s)`,
    );
    if (calls.length < 10) fail(`only ${calls.length} curl calls ran`);
  } finally {
    try {
      process.kill(-engine.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    const { code, signal } = await exited;
    rmSync(work, { recursive: true, force: true });
    if (!process.exitCode) console.log(`README check: npm start stopped (${signal ?? code})`);
  }
}

/** No process under npm start is tsx: the engine runs compiled. */
function checkNoTsx(rootPid) {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter(Boolean)
    .map(([, pid, ppid, args]) => ({ pid: Number(pid), ppid: Number(ppid), args }));
  const tree = new Set([rootPid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const r of rows)
      if (tree.has(r.ppid) && !tree.has(r.pid)) {
        tree.add(r.pid);
        grew = true;
      }
  }
  const procs = rows.filter((r) => tree.has(r.pid));
  const engine = procs.find((r) => r.args.includes('dist/engine/src/main.js'));
  if (!engine) fail(`no compiled engine under npm start: ${procs.map((r) => r.args).join(' | ')}`);
  const tsx = procs.find((r) => /\btsx\b/.test(r.args));
  if (tsx) fail(`a tsx process runs under npm start: ${tsx.args}`);
}

main().catch((e) => {
  if (!process.exitCode) console.error(e);
  process.exitCode = 1;
});
