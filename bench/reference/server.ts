/**
 * The reference target: a minimal hand-written express 5 + pg app serving the six CRM workload
 * operations on fixed tables with named prepared statements, no metadata. The ceiling for any
 * express API on this machine. env: PORT, DATABASE_URL, BENCH_SCHEMA, BENCH_TOKEN.
 */
import express from 'express';
import pg from 'pg';
import { BENCH_USER, columnsOf, nestAccount, sql, valuesInsert } from './sql.js';

pg.types.setTypeParser(1082, (v) => v); // date stays YYYY-MM-DD
pg.types.setTypeParser(1700, (v) => Number(v)); // numeric → number, as Tessera returns it
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 16 });
const SCHEMA = process.env.BENCH_SCHEMA ?? 'bench_ref';
const S = sql(SCHEMA);
const TOKEN = `Bearer ${process.env.BENCH_TOKEN ?? 'ref'}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const q = (name: keyof typeof S, values: unknown[]) => pool.query({ name, text: S[name], values });

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.use((req, res, next) =>
  req.headers.authorization === TOKEN ? next() : void res.status(401).json({ error: 'unauthenticated' }),
);
app.use(express.json({ limit: '8mb' }));

const values = (b: Record<string, unknown>) => [
  b.name,
  b.amount,
  b.stage,
  b.close_date,
  b.probability,
  b.account,
  b.region,
  b.product_line,
  b.description,
  b.is_won,
  BENCH_USER,
];

app.post('/opportunity', async (req, res) => {
  const b = req.body as Record<string, unknown>;
  if (typeof b?.name !== 'string' || !b.name) return void res.status(422).json({ error: 'name is required' });
  const { rows } = await q('create', values(b));
  res.status(201).setHeader('Location', `/opportunity/${rows[0].id}`).json({ data: rows[0] });
});

/** A batch body's records, or null (the caller answers 400). */
const batchOf = (body: unknown) => {
  const records = (body as { records?: Record<string, unknown>[] })?.records;
  return Array.isArray(records) && records.length && records.length <= 1000 ? records : null;
};

app.post('/opportunity/batch', async (req, res) => {
  const records = batchOf(req.body);
  if (!records) return void res.status(400).json({ error: 'records: 1 to 1000' });
  const { rows } = await q('batch', [...columnsOf(records), BENCH_USER]);
  res.json({ data: rows, meta: { count: rows.length } });
});

// W2m (bench/run.ts): the same batch as one multi-row INSERT … VALUES, as most servers write it.
app.post('/values/opportunity/batch', async (req, res) => {
  const records = batchOf(req.body);
  if (!records) return void res.status(400).json({ error: 'records: 1 to 1000' });
  const { rows } = await pool.query(valuesInsert(SCHEMA, records));
  res.json({ data: rows, meta: { count: rows.length } });
});

app.get('/opportunity', async (req, res) => {
  const f = JSON.parse(String(req.query.filter ?? '{}')) as {
    stage?: { eq?: string };
    amount?: { gt?: number };
  };
  const limit = Math.min(Number(req.query.limit ?? 50), 200);
  const { rows } = await q('list', [f.stage?.eq, f.amount?.gt, limit + 1]);
  const more = rows.length > limit;
  res.json({ data: rows.slice(0, limit).map(nestAccount), meta: { has_more: more } });
});

app.get('/opportunity/:id', async (req, res) => {
  if (!UUID.test(req.params.id)) return void res.status(404).json({ error: 'not found' });
  const { rows } = await q('get', [req.params.id]);
  if (!rows.length) return void res.status(404).json({ error: 'not found' });
  res.setHeader('ETag', `"${rows[0].version}"`).json({ data: rows[0] });
});

app.patch('/opportunity/:id', async (req, res) => {
  const stage = (req.body as { stage?: unknown })?.stage;
  if (!UUID.test(req.params.id) || typeof stage !== 'string')
    return void res.status(400).json({ error: 'bad request' });
  const { rows } = await q('patch', [req.params.id, stage, BENCH_USER]);
  if (!rows.length) return void res.status(404).json({ error: 'not found' });
  res.setHeader('ETag', `"${rows[0].version}"`).json({ data: rows[0] });
});

app.post('/opportunity/aggregate', async (_req, res) => {
  const { rows } = await q('aggregate', []);
  res.json({ data: rows });
});

app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
  console.error(err);
  res.status(500).json({ error: 'internal' });
});

const server = app.listen(Number(process.env.PORT ?? 3902), '127.0.0.1', () => console.log('READY 0'));
server.keepAliveTimeout = 60_000;
const stop = () => server.close(() => void pool.end().then(() => process.exit(0)));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
