import { createHmac, timingSafeEqual } from 'node:crypto';
import { badRequest } from '../core/errors.js';

/** Where a page ended: the sort values and id of its last row, bound to one query by a hash. */
export interface CursorState {
  values: unknown[];
  id: string;
}

/**
 * Opaque, signed keyset cursors. The signature covers the query (tenant, object, filter, sort), so a
 * cursor cannot be tampered with or replayed against another query or tenant.
 */
export class CursorCodec {
  constructor(private secret: string) {}

  private sign(body: string, queryKey: string) {
    return createHmac('sha256', this.secret)
      .update(queryKey)
      .update('\n')
      .update(body)
      .digest('base64url')
      .slice(0, 22);
  }

  encode(state: CursorState, queryKey: string): string {
    const body = Buffer.from(JSON.stringify([state.values, state.id])).toString('base64url');
    return `${body}.${this.sign(body, queryKey)}`;
  }

  decode(cursor: string, queryKey: string): CursorState {
    const [body, sig] = cursor.split('.');
    const bad = () => badRequest('BAD_CURSOR');
    if (!body || !sig || cursor.length > 4096) throw bad();
    const expected = Buffer.from(this.sign(body, queryKey));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw bad();
    try {
      const [values, id] = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as [unknown[], string];
      if (!Array.isArray(values) || typeof id !== 'string') throw bad();
      return { values, id };
    } catch {
      throw bad();
    }
  }
}
