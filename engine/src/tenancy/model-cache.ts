import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';
import type { Ident } from '../core/ident.js';
import { compileModel, type CompiledModel } from '../metadata/compile.js';
import { metaVersions } from '../schema-sync/history.js';

interface Entry {
  model: CompiledModel;
  checkedAt: number;
}

/** Tenants whose compiled model stays in memory unless configured otherwise (EngineConfig.modelCacheSize). */
export const DEFAULT_MODEL_CACHE_SIZE = 500;

/**
 * Each tenant's compiled model, built once per metadata version. A deploy here replaces it at
 * once; a deploy in another process arrives by NOTIFY (invalidate), and a periodic version
 * check catches anything a lost notification missed.
 *
 * At most `maxTenants` models stay in memory; the least recently used is dropped, and with it
 * everything hung off it in WeakMaps (validators, catalogs, access policies, OpenAPI). Its
 * tenant's next request compiles it again from the stored package.
 */
export class ModelCache {
  private entries: LRUCache<string, Entry>;
  private loading = new Map<string, Promise<CompiledModel>>();
  constructor(
    private knex: Knex,
    private platform: Ident,
    private recheckMs: number,
    maxTenants = DEFAULT_MODEL_CACHE_SIZE,
  ) {
    this.entries = new LRUCache({ max: maxTenants });
  }

  async get(tenantId: string): Promise<CompiledModel> {
    const e = this.entries.get(tenantId);
    if (e && Date.now() - e.checkedAt < this.recheckMs) return e.model;
    if (e) {
      const row = await this.knex
        .withSchema(this.platform)
        .table('meta_versions')
        .where({ tenant_id: tenantId })
        .max({ v: 'version' })
        .first();
      if (Number(row?.v) === e.model.version) {
        e.checkedAt = Date.now();
        return e.model;
      }
    }
    return this.load(tenantId);
  }

  private load(tenantId: string): Promise<CompiledModel> {
    const busy = this.loading.get(tenantId);
    if (busy) return busy;
    const p = (async () => {
      const row = await metaVersions(this.knex, this.platform).latest(tenantId);
      if (!row) throw new Error(`tenant ${tenantId} has no metadata`);
      const model = compileModel(row.package, row.version, row.hash);
      this.entries.set(tenantId, { model, checkedAt: Date.now() });
      return model;
    })().finally(() => this.loading.delete(tenantId));
    this.loading.set(tenantId, p);
    return p;
  }

  /** Forget a tenant's model (a newer version exists). */
  invalidate(tenantId: string, version?: number) {
    const e = this.entries.peek(tenantId);
    if (e && (version === undefined || e.model.version < version)) this.entries.delete(tenantId);
  }

  /**
   * Notifications may have been lost (the LISTEN connection dropped): every model re-checks its
   * version on its tenant's next request, one indexed query each, then trusts NOTIFY again.
   */
  expireAll() {
    for (const e of this.entries.values()) e.checkedAt = 0;
  }

  /** Models in memory now. */
  size() {
    return this.entries.size;
  }
}
