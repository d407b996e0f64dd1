import type { UserRow } from '../../api/types';

export interface UserForm {
  displayName: string;
  username: string;
  email: string;
  password: string;
  role: string;
  profile: string;
  manager: string;
  isAdmin: boolean;
}

type T = (key: string, params?: Record<string, unknown>) => string;

/** The engine's rules for user names (tenancy/users.ts) and passwords (tenancy/passwords.ts). */
export const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
export const MIN_PASSWORD = 8;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}$/;

/** What is wrong with the form, per field ('' or absent: nothing), before anything is sent. */
export function userFormErrors(
  f: UserForm,
  isNew: boolean,
  others: UserRow[],
  self: string | undefined,
  t: T,
): Partial<Record<keyof UserForm, string>> {
  const e: Partial<Record<keyof UserForm, string>> = {};
  if (!f.displayName.trim()) e.displayName = t('admin.users.errDisplayName');
  if (isNew) {
    const u = f.username.trim();
    if (!u) e.username = t('admin.users.errUsernameRequired');
    else if (!USERNAME.test(u)) e.username = t('admin.users.errUsername');
    else if (others.some((x) => x.id !== self && x.username.toLowerCase() === u.toLowerCase()))
      e.username = t('admin.users.usernameTaken');
    if (f.password.length < MIN_PASSWORD) e.password = t('admin.users.errPassword', { min: MIN_PASSWORD });
  }
  if (f.email.trim() && !EMAIL.test(f.email.trim())) e.email = t('admin.users.errEmail');
  return e;
}
