import { EventEmitter } from 'node:events';
import type { Knex } from 'knex';
import type { Ident } from '../core/ident.js';
import { OUTBOX } from '../schema-sync/ddl.js';

export interface DispatchedEvent {
  tenantId: string;
  seq: number;
  type: string;
  object: string;
  recordId: string;
  actor: string | null;
  payload: unknown;
}

/**
 * Delivers committed outbox events to in-process subscribers (automation, notifications later),
 * then marks them dispatched. Runs after commit, never inside a write's transaction.
 */
export class OutboxDispatcher extends EventEmitter {
  private running = new Map<string, Promise<void>>();
  constructor(private knex: Knex) {
    super();
  }

  /**
   * Drains a tenant's pending events; concurrent kicks for one tenant share one drain. With no
   * subscriber yet, events wait in the outbox (no work on the write path).
   */
  kick(tenantId: string, schema: Ident): Promise<void> {
    if (this.listenerCount('event') === 0) return Promise.resolve();
    const busy = this.running.get(tenantId);
    if (busy) return busy.then(() => this.kick(tenantId, schema));
    const run = this.drain(tenantId, schema).finally(() => this.running.delete(tenantId));
    this.running.set(tenantId, run);
    return run;
  }

  private async drain(tenantId: string, schema: Ident) {
    for (;;) {
      const rows = (await this.knex
        .withSchema(schema)
        .table(OUTBOX)
        .whereNull('dispatched_at')
        .orderBy('seq')
        .limit(500)) as Record<string, unknown>[];
      if (!rows.length) return;
      for (const r of rows)
        this.emit('event', {
          tenantId,
          seq: Number(r.seq),
          type: r.type as string,
          object: r.object as string,
          recordId: r.record_id as string,
          actor: (r.actor as string | null) ?? null,
          payload: r.payload,
        } satisfies DispatchedEvent);
      await this.knex
        .withSchema(schema)
        .table(OUTBOX)
        .whereIn(
          'seq',
          rows.map((r) => r.seq as number),
        )
        .update({ dispatched_at: this.knex.fn.now() });
    }
  }
}
