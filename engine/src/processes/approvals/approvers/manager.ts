import type { ApproverKind } from './registry.js';
import { activeUsers, idsOf, parentRoles, userRows, type UserRow } from '../users.js';

/**
 * The manager n levels above the record's owner (or its submitter): each level follows the
 * user's `manager`; where a user has none (or an inactive one), the role hierarchy takes over
 * and the level is every active user of the parent role (and, further up, its parents).
 */
export const managerApprover: ApproverKind = {
  kind: 'manager',
  label: { en: "Owner's manager", 'zh-CN': '负责人的上级' },
  configSchema: {
    properties: {
      levels: { type: 'integer', minimum: 1, maximum: 10 },
      of: { enum: ['owner', 'submitter'] },
    },
  },
  checkAtDeploy: () => [],
  compile(def, model) {
    const levels = (def.levels as number | undefined) ?? 1;
    const of = (def.of as 'owner' | 'submitter' | undefined) ?? 'owner';
    const parents = parentRoles(model.pkg);
    const who = of === 'owner' ? { en: 'owner', 'zh-CN': '负责人' } : { en: 'submitter', 'zh-CN': '提交人' };
    return {
      kind: 'manager',
      describe: {
        en: `the ${who.en}'s manager${levels > 1 ? ` (${levels} levels up)` : ''}`,
        'zh-CN': `${who['zh-CN']}的${levels > 1 ? `第 ${levels} 级` : '直属'}上级`,
      },
      async resolve(c) {
        let user: string | null = of === 'owner' ? (c.row.owner as string) : c.submitter;
        let role: string | null = null;
        for (let i = 0; i < levels; i++) {
          if (user) {
            const u: UserRow | undefined = (await userRows(c.db, c.schema, [user])).get(user);
            const m: UserRow | undefined = u?.manager
              ? (await userRows(c.db, c.schema, [u.manager])).get(u.manager)
              : undefined;
            if (m?.active) {
              user = m.id;
              continue;
            }
            role = u?.role ? (parents.get(u.role) ?? null) : null;
            user = null;
          } else if (role) role = parents.get(role) ?? null;
          if (!role) return [];
        }
        if (user) return [user];
        return role ? idsOf(activeUsers(c.db, c.schema).where('role', role)) : [];
      },
    };
  },
};
