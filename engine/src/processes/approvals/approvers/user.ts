import type { ApproverKind } from './registry.js';
import { activeUsers, idsOf } from '../users.js';

/** Named users, by user name (portable between tenants, checked against the users at deploy). */
export const userApprover: ApproverKind = {
  kind: 'user',
  label: { en: 'Named users', 'zh-CN': '指定用户' },
  configSchema: {
    properties: {
      users: { type: 'array', minItems: 1, maxItems: 50, items: { type: 'string', maxLength: 64 } },
    },
    required: ['users'],
  },
  checkAtDeploy: () => [],
  usernames: (def, pointer) =>
    (def.users as string[]).map((name, i) => ({ name, pointer: `${pointer}/users/${i}` })),
  compile(def) {
    const names = def.users as string[];
    return {
      kind: 'user',
      describe: { en: `users ${names.join(', ')}`, 'zh-CN': `用户 ${names.join('、')}` },
      resolve: (c) => idsOf(activeUsers(c.db, c.schema).whereIn('username', names)),
    };
  },
};
