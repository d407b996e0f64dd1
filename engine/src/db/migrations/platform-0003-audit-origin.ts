import type { EngineMigration } from './migration.js';

/** Who wrote, in the audit log: user, system, automation:<rule>, approval:<id>, import:<job>. */
export const auditOrigin: EngineMigration = {
  name: '0003_audit_origin',
  async up(db, { platform }) {
    await db.raw('alter table ??.audit_log add column if not exists origin text', [platform]);
  },
};
