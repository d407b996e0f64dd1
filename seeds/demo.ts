import { randomBytes } from 'node:crypto';
import type { PackageDef } from '../engine/src/core/model.js';
import type { Engine } from '../engine/src/engine.js';
import { ALLOW_ALL } from '../engine/src/records/access.js';
import { dbRoleOf } from '../engine/src/tenancy/tenants.js';
import demoData from './demo-data.json' with { type: 'json' };
import { seedApprovals } from './demo-approvals.js';
import { seedOpportunities, withDemoProcesses } from './demo-pipelines.js';

export interface DemoInfo {
  /** What this start did: created the demo tenant, found it, or left a database of other tenants alone. */
  state: 'created' | 'exists' | 'absent';
  slug: string;
  /** The admin's API token when this start created it or it was given (TESSERA_DEMO_TOKEN). */
  token: string | null;
  /** The admin's password when this start chose or reset it. */
  password: string | null;
}

/**
 * Creates the demo tenant (standard objects + a little data, written through the records
 * pipeline like any client would) once: on an empty database. A restart finds it and mints
 * nothing: the token printed at the first start keeps working, `fixedToken`
 * (TESSERA_DEMO_TOKEN) is added if given, `fixedPassword` (TESSERA_DEMO_PASSWORD) resets the
 * admin's password. A database holding other tenants is never given a demo.
 */
export async function seedDemo(
  engine: Engine,
  pkg: PackageDef,
  fixedToken?: string,
  fixedPassword?: string,
): Promise<DemoInfo> {
  const slug = 'demo';
  const existing = await engine.tenants.findBySlug(slug);
  if (existing) {
    if (fixedToken) await engine.tenants.ensureToken(existing, fixedToken);
    if (fixedPassword) await engine.tenants.setPassword(existing, 'admin', fixedPassword);
    return { state: 'exists', slug, token: fixedToken ?? null, password: fixedPassword ?? null };
  }
  if ((await engine.tenants.list()).length > 0) return { state: 'absent', slug, token: null, password: null };
  const token = fixedToken ?? `tsr_${randomBytes(24).toString('base64url')}`;
  const password = fixedPassword ?? randomBytes(9).toString('base64url');
  let created;
  try {
    created = await engine.tenants.create({
      slug,
      name: 'Demo Co. / 演示公司',
      package: withDemoProcesses(pkg),
      token,
      adminPassword: password,
    });
  } catch (e) {
    // Another engine process on the same database created it first (TENANT_EXISTS, or the
    // database's unique slug when both checked at once): use theirs.
    if (await engine.tenants.findBySlug(slug)) return seedDemo(engine, pkg, fixedToken, fixedPassword);
    throw e;
  }
  const { tenant, adminUserId } = created;
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
  await seedApprovals(engine, tenant, adminUserId, password, people, accountIds);
  return { state: 'created', slug, token, password };
}
