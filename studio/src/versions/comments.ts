import type { Lang, PackageDef } from '../api/types';
import { tr } from '../lib/labels';

type T = (key: string, params?: Record<string, unknown>) => string;

/**
 * Default deploy comments are stored language-neutral (`@create:channel_auth`, `@roles`,
 * `@rollback:3`) and read in the reader's language; a comment an admin typed stays as typed.
 */
export type CommentCode =
  `@${'create' | 'edit' | 'delete'}:${string}` | '@roles' | '@profiles' | '@sharing' | `@rollback:${number}`;

const KEYS: Record<string, string> = {
  '@roles': 'admin.roles.comment',
  '@profiles': 'admin.profiles.comment',
  '@sharing': 'admin.sharing.comment',
};
/** What the engine itself writes (tenant creation), in words for both languages. */
const ENGINE: Record<string, string> = { 'tenant created': 'admin.versions.tenantCreated' };

/** The comment to store: the code when the admin kept the default text, else what they typed. */
export const storedComment = (typed: string | undefined, shownDefault: string, code: CommentCode) =>
  typed !== undefined && typed === shownDefault ? code : typed;

/** A stored comment in the reader's language; objects named by their label in `pkg`. */
export function commentText(c: string | null | undefined, t: T, lang: Lang, pkg?: PackageDef | null): string {
  if (!c) return '';
  if (KEYS[c]) return t(KEYS[c]);
  if (ENGINE[c]) return t(ENGINE[c]);
  const rb = /^@rollback:(\d+)$/.exec(c);
  if (rb) return t('versions.rollbackComment', { version: rb[1] });
  const m = /^@(create|edit|delete):([a-z][a-z0-9_]{0,39})$/.exec(c);
  if (m) {
    const o = pkg?.objects.find((x) => x.name === m[2]);
    return t(`setup.comment_${m[1]}`, { object: tr(o?.label, lang, m[2]) });
  }
  return c;
}
