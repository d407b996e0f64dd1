import { randomBytes } from 'node:crypto';
import type { PackageDef } from '../engine/src/core/model.js';
import type { Engine } from '../engine/src/engine.js';
import { ALLOW_ALL } from '../engine/src/records/access.js';
import { dbRoleOf } from '../engine/src/tenancy/tenants.js';
import demoData from './demo-data.json' with { type: 'json' };

export interface DemoInfo {
  slug: string;
  token: string;
  /** The admin's password when this start chose or reset it. */
  password: string | null;
}

/**
 * Creates the demo tenant on first start (standard objects + a little data, written through the
 * records pipeline like any client would). On later starts it only (re)issues the API token.
 */
export async function seedDemo(engine: Engine, pkg: PackageDef, fixedToken?: string, fixedPassword?: string): Promise<DemoInfo> {
  const slug = 'demo';
  const existing = await engine.tenants.findBySlug(slug);
  const token = fixedToken ?? `tsr_${randomBytes(24).toString('base64url')}`;
  if (existing) {
    await engine.tenants.ensureToken(existing, token);
    if (fixedPassword) await engine.tenants.setPassword(existing, 'admin', fixedPassword);
    return { slug, token, password: fixedPassword ?? null };
  }
  const password = fixedPassword ?? randomBytes(9).toString('base64url');
  const { tenant, adminUserId } = await engine.tenants.create({ slug, name: 'Demo Co. / 演示公司', package: pkg, token, adminPassword: password });
  const scope = {
    tenantId: tenant.id,
    schema: tenant.schema,
    actor: adminUserId,
    model: await engine.models.get(tenant.id),
    access: ALLOW_ALL,
    dbRole: dbRoleOf(tenant),
  };
  const accounts = await engine.records.batch(
    scope,
    'account',
    demoData.accounts.map((data) => ({ op: 'create' as const, data })),
  );
  const accountId = (name: string) => accounts.find((a) => a.record?.name === name)?.record?.id;
  await engine.records.batch(
    scope,
    'opportunity',
    demoData.opportunities.map(({ account, ...data }) => ({ op: 'create' as const, data: { ...data, account: accountId(account) } })),
  );
  return { slug, token, password };
}
