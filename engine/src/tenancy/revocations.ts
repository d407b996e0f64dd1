import type { Knex } from 'knex';
import { AUTH_CHANNEL } from '../db/listen.js';

/** What stopped being valid: tokens whose hash starts with `prefix`, or every token of a user. */
export type Revocation =
  | { kind: 'token'; prefix: string }
  | { kind: 'user'; userId: string }
  /** Anything may have ended (the LISTEN connection was down): drop every cached principal. */
  | { kind: 'all' };

const HEX = /^[0-9a-f]{16,64}$/;
const UUID = /^[0-9a-f-]{36}$/;

/**
 * Tells every engine process that a session or token ended (logout, refresh, revoke, a user
 * suspended or their password changed), so the authenticator's short cache drops it at once and
 * not after its TTL. In this process the listeners run synchronously; on a Postgres server the
 * same message goes out by NOTIFY and arrives in the others through the LISTEN connection.
 */
export class Revocations {
  private listeners: ((r: Revocation) => void)[] = [];
  constructor(private knex: Knex | null) {}

  subscribe(fn: (r: Revocation) => void) {
    this.listeners.push(fn);
  }

  /** Revokes here and in every other process; resolves once the NOTIFY is sent. */
  async publish(r: Exclude<Revocation, { kind: 'all' }>): Promise<void> {
    this.deliver(r);
    if (this.knex)
      await this.knex.raw('select pg_notify(?, ?)', [
        AUTH_CHANNEL,
        r.kind === 'token' ? `t:${r.prefix}` : `u:${r.userId}`,
      ]);
  }

  /** Messages may have been missed (after a LISTEN reconnect): forget everything cached here. */
  forgetAll() {
    this.deliver({ kind: 'all' });
  }

  /** A NOTIFY payload from another process; anything malformed is ignored. */
  receive(payload: string) {
    const [kind, value] = [payload.slice(0, 2), payload.slice(2)];
    if (kind === 't:' && HEX.test(value)) this.deliver({ kind: 'token', prefix: value });
    else if (kind === 'u:' && UUID.test(value)) this.deliver({ kind: 'user', userId: value });
  }

  private deliver(r: Revocation) {
    for (const fn of this.listeners) fn(r);
  }
}
