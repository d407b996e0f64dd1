import pg from 'pg';

/** The channel deploys NOTIFY on, payload `<tenant id>:<version>`. */
export const META_CHANNEL = 'tessera_meta';

/**
 * A dedicated connection that LISTENs for metadata deploys (Postgres server only; PGlite runs in one
 * process and needs none). Reconnects after a dropped connection.
 */
export function listenForDeploys(
  url: string,
  onMessage: (payload: string) => void,
): { close(): Promise<void> } {
  let client: pg.Client | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString: url, application_name: 'tessera-listen' });
    c.on('notification', (n) => n.channel === META_CHANNEL && n.payload && onMessage(n.payload));
    c.on('error', () => undefined);
    c.on('end', () => {
      if (!closed) timer = setTimeout(() => void connect(), 1000);
    });
    try {
      await c.connect();
      await c.query('LISTEN tessera_meta');
      client = c;
    } catch {
      if (!closed) timer = setTimeout(() => void connect(), 1000);
    }
  };
  void connect();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => undefined);
    },
  };
}
