import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { internalIdent, type Ident } from '../core/ident.js';

/**
 * Names of the tenants' database roles. Roles are cluster-wide while schemas are per database,
 * so two installations on one Postgres cluster (or a database dropped and made again) would
 * collide on `<schema>_app`. Roles are therefore named with an id of the installation, minted
 * once and kept in the platform settings: `<schema>_<installation>_app` (a hash of the schema
 * when that passes Postgres's 63 bytes).
 *
 * Tenants that existed before the installation id (an older install) keep their `<schema>_app`
 * role: the settings list them (`legacy_role_tenants`), so no role is renamed under a running
 * engine and no migration is needed; new tenants of that install get namespaced roles.
 */
export interface RoleNaming {
  installation: string;
  legacy: ReadonlySet<string>;
}

const INSTALLATION = 'installation_id';
const LEGACY = 'legacy_role_tenants';

/** Reads the installation id, minting it (and the list of older tenants) on the first start. */
export async function loadRoleNaming(knex: Knex, platform: Ident): Promise<RoleNaming> {
  return knex.transaction(async (trx) => {
    const settings = () => trx.withSchema(platform).table('settings');
    const read = async () =>
      Object.fromEntries(
        (
          (await settings().whereIn('key', [INSTALLATION, LEGACY]).select('key', 'value')) as {
            key: string;
            value: string;
          }[]
        ).map((r) => [r.key, r.value]),
      );
    let found = await read();
    if (!found[INSTALLATION]) {
      // Serialise the first start of several engine processes (the same lock as the platform set-up).
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`tessera:platform:${platform}`]);
      found = await read();
      if (!found[INSTALLATION]) {
        const older = (await trx.withSchema(platform).table('tenants').pluck('id')) as string[];
        found = { [INSTALLATION]: randomBytes(5).toString('hex'), [LEGACY]: JSON.stringify(older) };
        await settings().insert(Object.entries(found).map(([key, value]) => ({ key, value })));
      }
    }
    return {
      installation: found[INSTALLATION],
      legacy: new Set(JSON.parse(found[LEGACY] ?? '[]') as string[]),
    };
  });
}

/** The role of one tenant of this installation. */
export function tenantRoleName(n: RoleNaming, tenantId: string, schema: Ident): Ident {
  if (n.legacy.has(tenantId)) return internalIdent(`${schema}_app`);
  const name = `${schema}_${n.installation}_app`;
  if (Buffer.byteLength(name) <= 63) return internalIdent(name);
  const h = createHash('sha256').update(schema).digest('hex').slice(0, 24);
  return internalIdent(`r_${n.installation}_${h}`);
}
