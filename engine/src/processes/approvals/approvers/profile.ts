import type { ApproverKind } from './registry.js';
import { activeUsers, idsOf } from '../users.js';

/** Every active user with a profile. */
export const profileApprover: ApproverKind = {
  kind: 'profile',
  label: { en: 'Users with a profile', 'zh-CN': '简档下的用户' },
  configSchema: {
    properties: { profile: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$' } },
    required: ['profile'],
  },
  checkAtDeploy(def, ctx) {
    return (ctx.pkg.profiles ?? []).some((p) => p.name === def.profile)
      ? []
      : [
          {
            pointer: `${ctx.pointer}/profile`,
            code: 'APPROVAL_UNKNOWN_PROFILE',
            params: { profile: def.profile },
          },
        ];
  },
  compile(def, model) {
    const profile = def.profile as string;
    const label = (model.pkg.profiles ?? []).find((p) => p.name === profile)?.label ?? {
      en: profile,
      'zh-CN': profile,
    };
    return {
      kind: 'profile',
      describe: { en: `profile ${label.en}`, 'zh-CN': `简档 ${label['zh-CN']}` },
      resolve: (c) => idsOf(activeUsers(c.db, c.schema).where('profile', profile)),
    };
  },
};
