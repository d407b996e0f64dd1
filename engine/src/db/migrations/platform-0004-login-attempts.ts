import type { EngineMigration } from './migration.js';

/**
 * Sign-in and password attempts, counted in the database so every engine process sees the same
 * window (tenancy/login-limiter.ts). The key is a SHA-256 of the limiter and the account or IP:
 * no user name or address is stored. Rows older than the longest window are deleted as it goes.
 */
export const loginAttempts: EngineMigration = {
  name: '0004_login_attempts',
  async up(db, { platform }) {
    await db.raw(
      'create table if not exists ??.login_attempts (key text not null, at timestamp with time zone not null)',
      [platform],
    );
    await db.raw('create index if not exists login_attempts_key_at on ??.login_attempts (key, at)', [
      platform,
    ]);
  },
};
