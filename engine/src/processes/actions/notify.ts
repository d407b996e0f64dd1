import type { ActionKind, Audience } from './registry.js';

/** Sends an in-app notification (a template of the package or a built-in one) to people of the request. */
export const notifyAction: ActionKind = {
  kind: 'notify',
  label: { en: 'Notify', 'zh-CN': '通知' },
  configSchema: {
    properties: {
      to: {
        type: 'array',
        minItems: 1,
        maxItems: 4,
        items: { enum: ['submitter', 'owner', 'approvers', 'actor'] },
      },
      template: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$' },
    },
    required: ['to', 'template'],
  },
  checkAtDeploy(def, ctx) {
    return ctx.templates.has(def.template as string)
      ? []
      : [
          {
            pointer: `${ctx.pointer}/template`,
            code: 'APPROVAL_UNKNOWN_TEMPLATE',
            params: { template: def.template },
          },
        ];
  },
  compile(def) {
    const to = def.to as Audience[];
    const template = def.template as string;
    return {
      kind: 'notify',
      async run(c) {
        await c.notify([...new Set(to.flatMap((w) => c.audience(w)))], template);
      },
    };
  },
};
