import { randomBytes } from 'node:crypto';
import type { PackageDef } from '../engine/src/core/model.js';
import type { Engine } from '../engine/src/engine.js';
import { ALLOW_ALL } from '../engine/src/records/access.js';
import { dbRoleOf } from '../engine/src/tenancy/tenants.js';
import demoData from './demo-data.json' with { type: 'json' };
import { seedOpportunities, withDemoProcesses } from './demo-pipelines.js';

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
export async function seedDemo(
  engine: Engine,
  pkg: PackageDef,
  fixedToken?: string,
  fixedPassword?: string,
): Promise<DemoInfo> {
  const slug = 'demo';
  const existing = await engine.tenants.findBySlug(slug);
  const token = fixedToken ?? `tsr_${randomBytes(24).toString('base64url')}`;
  if (existing) {
    await engine.tenants.ensureToken(existing, token);
    if (fixedPassword) await engine.tenants.setPassword(existing, 'admin', fixedPassword);
    return { slug, token, password: fixedPassword ?? null };
  }
  const password = fixedPassword ?? randomBytes(9).toString('base64url');
  const { tenant, adminUserId } = await engine.tenants.create({
    slug,
    name: 'Demo Co. / 演示公司',
    package: withDemoProcesses(pkg),
    token,
    adminPassword: password,
  });
  const model = await engine.models.get(tenant.id);
  // The sales organisation, so the role hierarchy shows: a director, two regional managers, four reps.
  const people = new Map<string, string>();
  for (const u of demoData.users) {
    const row = await engine.users.create(tenant, model, { ...u, password }, adminUserId);
    people.set(u.username, row.id as string);
  }
  // Records are created by their owners, through the same pipeline as any client.
  const scopeOf = (username: string) => ({
    tenantId: tenant.id,
    schema: tenant.schema,
    actor: people.get(username) ?? adminUserId,
    model,
    access: ALLOW_ALL,
    dbRole: dbRoleOf(tenant),
  });
  const accountIds = new Map<string, string>();
  for (const { owner, ...data } of demoData.accounts) {
    const { record } = await engine.records.create(scopeOf(owner), 'account', data);
    accountIds.set(data.name, record!.id as string);
  }
  await seedOpportunities(engine, scopeOf, accountIds, demoData.opportunities, tenant.schema);
  return { slug, token, password };
}
