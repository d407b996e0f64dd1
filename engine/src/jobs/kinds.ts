import { compileLazily, lazyAjv, type ValidateFunction } from '../core/ajv.js';
import type { Ident } from '../core/ident.js';

/** Who a job acts as when it writes: no person, the engine itself (records' created_by/updated_by). */
export const SYSTEM_ACTOR = { id: '00000000-0000-0000-0000-000000000000', origin: 'system' } as const;

/** The tenant a job runs for, as the claim reads it (structurally a tenancy `Tenant`). */
export interface JobTenant {
  id: string;
  slug: string;
  name: string;
  schema: Ident;
  /** IANA time zone of the tenant's schedules (the engine's default when the tenant has none). */
  timeZone: string;
}

export interface JobContext {
  job: { id: number; kind: string; attempt: number; maxAttempts: number; key: string | null };
  tenant: JobTenant;
  actor: typeof SYSTEM_ACTOR;
  /** Aborted when the runner stops past its grace period or the job's lease was lost. */
  signal: AbortSignal;
  /** Stores progress an admin reads at GET /jobs/{id} (e.g. { total, processed, failed }). */
  progress(p: Record<string, unknown>): Promise<void>;
}

/**
 * One kind of background work: its name, the JSON Schema of its payload (checked at enqueue),
 * and its handler. Handlers run at least once per job: make them idempotent.
 */
export interface JobKind<P = Record<string, unknown>> {
  name: string;
  payload: Record<string, unknown>;
  run(payload: P, ctx: JobContext): Promise<void>;
  /** Tries before the job is dead (default 5). */
  maxAttempts?: number;
  /** Delay before the first retry, doubled each time (with jitter) up to an hour (default 10 s). */
  backoffMs?: number;
  /** Keep finished jobs (state done, visible to admins) until the retention prunes them; default: deleted. */
  keep?: boolean;
  /**
   * A per-tenant system schedule: the runner enqueues this kind for every tenant on this cron.
   * With `spreadMs`, each tenant runs later by a fixed offset in [0, spreadMs) taken from a hash
   * of its id, so many tenants do not all enqueue in the same minute (keep it below the period).
   */
  schedule?: { name: string; cron: string; spreadMs?: number };
}

/** A handler's way to say "do not retry": the job is dead at once. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

export class UnknownJobKind extends Error {
  constructor(kind: string) {
    super(`unknown job kind "${kind}"`);
  }
}

export class BadJobPayload extends Error {
  constructor(kind: string, detail: string) {
    super(`payload of job kind "${kind}" does not match its schema: ${detail}`);
  }
}

interface Registered {
  kind: JobKind;
  validate: ValidateFunction;
}

/** THE registry of job kinds: name → handler and payload schema. Features register at wiring time. */
export class JobKinds {
  private kinds = new Map<string, Registered>();
  private ajv = lazyAjv();

  register<P>(kind: JobKind<P>): this {
    if (this.kinds.has(kind.name)) throw new Error(`job kind "${kind.name}" is registered twice`);
    this.kinds.set(kind.name, {
      kind: kind as unknown as JobKind,
      validate: compileLazily(this.ajv, kind.payload),
    });
    return this;
  }

  get(name: string): JobKind | undefined {
    return this.kinds.get(name)?.kind;
  }

  all(): JobKind[] {
    return [...this.kinds.values()].map((r) => r.kind);
  }

  /** Throws unless `name` is registered and `payload` matches its schema. */
  check(name: string, payload: unknown): void {
    const r = this.kinds.get(name);
    if (!r) throw new UnknownJobKind(name);
    if (!r.validate(payload)) throw new BadJobPayload(name, this.ajv().errorsText(r.validate.errors));
  }
}
