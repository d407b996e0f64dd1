import express from 'express';
import pg from 'pg';
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 16 });
const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.use((req, res, next) => (req.headers.authorization ? next() : void res.status(401).json({})));
app.use(express.json());
app.get('/x/:id', async (req, res) => {
  const { rows } = await pool.query({ name: 'g', text: `select * from ${process.env.S}.account where id = $1`, values: [req.params.id] });
  res.setHeader('ETag', `"${rows[0].version}"`).json({ data: rows[0] });
});
app.listen(3997, () => console.log('READY'));
process.on('SIGINT', () => process.exit(0));
