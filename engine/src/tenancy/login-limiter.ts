import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { Ident } from '../core/ident.js';
import { LOGIN_ATTEMPTS } from '../db/engine-tables.js';

/**
 * Sliding-window counters for sign-in attempts, keyed by server-side facts only (tenant + user
 * name, client IP): never by anything else in the body, so rotating fields does not help.
 * Counted in the platform's login_attempts table, so a cluster of engine processes shares one
 * allowance (a client spread over N workers gets no N-fold budget). Only sign-in and password
 * changes read or write it, never a data request.
 */
export class LoginLimiter {
  constructor(
    private readonly knex: Knex,
    private readonly platform: Ident,
    /** Names this limiter among others in the same table (its keys are hashed with it). */
    private readonly name: string,
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  private table = () => this.knex.withSchema(this.platform).table(LOGIN_ATTEMPTS);
  private hash = (key: string) => createHash('sha256').update(`${this.name}\u0000${key}`).digest('hex');

  /** Seconds to wait before another attempt, or 0. */
  async retryAfter(key: string, now = Date.now()): Promise<number> {
    const recent = (await this.table()
      .where({ key: this.hash(key) })
      .where('at', '>', new Date(now - this.windowMs))
      .orderBy('at', 'desc')
      .limit(this.max)
      .pluck('at')) as (Date | string)[];
    if (recent.length < this.max) return 0;
    // The max-th newest attempt leaves the window first.
    const oldest = new Date(recent[recent.length - 1]).getTime();
    return Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000));
  }

  async record(key: string, now = Date.now()): Promise<void> {
    await this.table().insert({ key: this.hash(key), at: new Date(now) });
    // Now and then, forget what no window can see any more (a day covers every limiter's window).
    if (Math.random() < 0.01)
      await this.table()
        .where('at', '<', new Date(now - Math.max(this.windowMs, 86_400_000)))
        .delete();
  }

  async reset(key: string): Promise<void> {
    await this.table()
      .where({ key: this.hash(key) })
      .delete();
  }
}
