import type { ApproverKind } from './registry.js';
import { activeUsers, idsOf } from '../users.js';

/** The members of a queue (package `queues`): named users and every user of its roles. */
export const queueApprover: ApproverKind = {
  kind: 'queue',
  label: { en: 'Queue', 'zh-CN': '队列' },
  configSchema: {
    properties: { queue: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$' } },
    required: ['queue'],
  },
  checkAtDeploy(def, ctx) {
    return (ctx.pkg.queues ?? []).some((q) => q.name === def.queue)
      ? []
      : [{ pointer: `${ctx.pointer}/queue`, code: 'APPROVAL_UNKNOWN_QUEUE', params: { queue: def.queue } }];
  },
  compile(def, model) {
    const q = (model.pkg.queues ?? []).find((x) => x.name === def.queue);
    const users = q?.users ?? [];
    const roles = q?.roles ?? [];
    const label = q?.label ?? { en: String(def.queue), 'zh-CN': String(def.queue) };
    return {
      kind: 'queue',
      describe: { en: `queue ${label.en}`, 'zh-CN': `队列 ${label['zh-CN']}` },
      resolve: (c) =>
        idsOf(
          activeUsers(c.db, c.schema).where((w) => w.whereIn('username', users).orWhereIn('role', roles)),
        ),
    };
  },
};
