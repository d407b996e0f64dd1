import type { Knex } from 'knex';
import { badRequest } from '../../core/errors.js';
import type { Ident } from '../../core/ident.js';
import type { I18nText, Lang } from '../../core/model.js';
import { NOTIFICATIONS } from '../../db/engine-tables.js';

export interface NewNotification {
  userId: string;
  kind: string;
  title: I18nText;
  body: I18nText | null;
  /** Where it points: the record, the approval request. */
  link: Record<string, string>;
}

/** Stores notifications in the caller's transaction: they exist only if the work they report commits. */
export async function storeNotifications(trx: Knex, schema: Ident, items: NewNotification[]) {
  if (!items.length) return;
  await trx
    .withSchema(schema)
    .table(NOTIFICATIONS)
    .insert(
      items.map((n) => ({
        user_id: n.userId,
        kind: n.kind,
        title: JSON.stringify(n.title),
        body: n.body ? JSON.stringify(n.body) : null,
        link: JSON.stringify(n.link),
      })),
    );
}

const MAX_PAGE = 100;

/** Offset pages, unread first then newest: the offset travels as an opaque cursor. */
export function pageParams(limit?: number, cursor?: string) {
  const l = limit ?? 20;
  if (l < 1 || l > MAX_PAGE) throw badRequest('BAD_LIMIT', { max: MAX_PAGE });
  let offset = 0;
  if (cursor !== undefined) {
    offset = Number(Buffer.from(cursor, 'base64url').toString());
    if (!Number.isInteger(offset) || offset < 0 || offset > 1e6) throw badRequest('BAD_CURSOR');
  }
  return { limit: l, offset };
}
export const nextCursor = (offset: number, limit: number, got: number) =>
  got > limit ? Buffer.from(String(offset + limit)).toString('base64url') : null;

interface Row {
  id: string;
  kind: string;
  title: I18nText;
  body: I18nText | null;
  link: Record<string, string>;
  created_at: Date;
  read_at: Date | null;
}

/** A user's notifications: unread first, newest first, in the reader's language. */
export async function listNotifications(
  db: Knex,
  schema: Ident,
  userId: string,
  q: { limit?: number; cursor?: string; unread?: boolean; lang: Lang },
) {
  const { limit, offset } = pageParams(q.limit, q.cursor);
  const base = db.withSchema(schema).from(NOTIFICATIONS).where('user_id', userId);
  if (q.unread) base.whereNull('read_at');
  const rows = (await base
    .clone()
    .orderByRaw('(read_at is null) desc, created_at desc, id desc')
    .offset(offset)
    .limit(limit + 1)
    .select('id', 'kind', 'title', 'body', 'link', 'created_at', 'read_at')) as Row[];
  return {
    data: rows.slice(0, limit).map((r) => ({
      id: r.id,
      kind: r.kind,
      title: r.title[q.lang],
      body: r.body?.[q.lang] ?? null,
      link: r.link,
      createdAt: r.created_at.toISOString(),
      read: r.read_at !== null,
      readAt: r.read_at?.toISOString() ?? null,
    })),
    meta: {
      next_cursor: nextCursor(offset, limit, rows.length),
      unread: await unreadCount(db, schema, userId),
    },
  };
}

export async function unreadCount(db: Knex, schema: Ident, userId: string): Promise<number> {
  const row = (await db
    .withSchema(schema)
    .from(NOTIFICATIONS)
    .where('user_id', userId)
    .whereNull('read_at')
    .count({ n: '*' })
    .first()) as { n: string | number };
  return Number(row.n);
}

/** Marks the user's own notifications read (the listed ones, or all): returns how many changed. */
export async function markRead(db: Knex, schema: Ident, userId: string, ids: string[] | 'all') {
  const q = db.withSchema(schema).table(NOTIFICATIONS).where('user_id', userId).whereNull('read_at');
  if (ids !== 'all') q.whereIn('id', ids);
  return q.update({ read_at: db.fn.now() });
}
