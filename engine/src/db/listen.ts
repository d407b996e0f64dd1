import pg from 'pg';

/** The channel deploys NOTIFY on, payload `<tenant id>:<version>`. */
export const META_CHANNEL = 'tessera_meta';
/** The channel revoked sessions and tokens NOTIFY on (tenancy/revocations.ts). */
export const AUTH_CHANNEL = 'tessera_auth';

type Channel = typeof META_CHANNEL | typeof AUTH_CHANNEL;
/** LISTEN takes no bind parameters: one fixed statement per channel. */
const LISTEN_SQL: Record<Channel, string> = {
  tessera_meta: 'LISTEN tessera_meta',
  tessera_auth: 'LISTEN tessera_auth',
};

export interface ListenHandlers {
  /** Channel → what to do with a payload. Channel names are the constants above, never input. */
  channels: Partial<Record<Channel, (payload: string) => void>>;
  /**
   * After a reconnect (not the first connect): notifications sent while the connection was down
   * are lost, so caches fed by them must re-check.
   */
  onReconnect?: () => void;
  /** The connection's application_name (pg_stat_activity shows it); default `tessera-listen`. */
  name?: string;
}

/**
 * A dedicated connection that LISTENs for deploys and revocations from other engine processes
 * (Postgres server only; PGlite runs in one process and needs none). Reconnects after a dropped
 * connection, then calls onReconnect.
 */
export function listenForChanges(url: string, h: ListenHandlers): { close(): Promise<void> } {
  let client: pg.Client | null = null;
  let closed = false;
  let connectedOnce = false;
  let timer: NodeJS.Timeout | null = null;
  const retry = () => {
    if (!closed) timer = setTimeout(() => void connect(), 1000);
  };
  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString: url, application_name: h.name ?? 'tessera-listen' });
    c.on('notification', (n) => {
      const handle = h.channels[n.channel as Channel];
      if (handle && n.payload) handle(n.payload);
    });
    c.on('error', () => undefined);
    c.on('end', retry);
    try {
      await c.connect();
      for (const channel of Object.keys(h.channels) as Channel[]) await c.query(LISTEN_SQL[channel]);
      client = c;
      if (connectedOnce) h.onReconnect?.();
      connectedOnce = true;
    } catch {
      c.removeListener('end', retry);
      await c.end().catch(() => undefined);
      retry();
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
