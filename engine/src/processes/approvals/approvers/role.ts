import { subordinatesOf } from '../../../security/roles.js';
import type { ApproverKind } from './registry.js';
import { activeUsers, idsOf } from '../users.js';

/** Every active user in a role (and, when asked, in the roles below it). */
export const roleApprover: ApproverKind = {
  kind: 'role',
  label: { en: 'Role', 'zh-CN': '角色' },
  configSchema: {
    properties: {
      role: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$' },
      includeSubordinates: { type: 'boolean' },
    },
    required: ['role'],
  },
  checkAtDeploy(def, ctx) {
    return (ctx.pkg.roles ?? []).some((r) => r.name === def.role)
      ? []
      : [{ pointer: `${ctx.pointer}/role`, code: 'APPROVAL_UNKNOWN_ROLE', params: { role: def.role } }];
  },
  compile(def, model) {
    const role = def.role as string;
    const roles = def.includeSubordinates ? [role, ...(subordinatesOf(model.pkg).get(role) ?? [])] : [role];
    const label = (model.pkg.roles ?? []).find((r) => r.name === role)?.label ?? { en: role, 'zh-CN': role };
    return {
      kind: 'role',
      describe: { en: `role ${label.en}`, 'zh-CN': `角色 ${label['zh-CN']}` },
      resolve: (c) => idsOf(activeUsers(c.db, c.schema).whereIn('role', roles)),
    };
  },
};
