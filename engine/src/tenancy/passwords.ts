import { hash, verify } from '@node-rs/argon2';

export const MIN_PASSWORD_LENGTH = 8;

/** argon2id with the library's defaults (OWASP's recommended m=19 MiB, t=2, p=1). */
export const hashPassword = (password: string) => hash(password);

// Unknown users are checked against this hash too, so both answers take the same time.
let dummy: Promise<string> | null = null;

export async function checkPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  if (!stored) {
    dummy ??= hash('tessera-dummy-password');
    await verify(await dummy, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
