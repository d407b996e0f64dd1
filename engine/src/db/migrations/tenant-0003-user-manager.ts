import { USERS } from '../engine-tables.js';
import type { EngineMigration } from './migration.js';

/**
 * A user's manager (the studio's Users screen), used by approvals ("the owner's manager") and
 * escalations. `if not exists`: tenants made by an engine that created the column adopt it.
 */
export const userManager: EngineMigration = {
  name: '0003_user_manager',
  async up(db, { schema }) {
    await db.raw('alter table ??.?? add column if not exists manager uuid references ??.?? (id)', [
      schema,
      USERS,
      schema,
      USERS,
    ]);
  },
};
