import { APPROVAL_REQUESTS } from '../engine-tables.js';
import type { EngineMigration } from './migration.js';

/**
 * A request whose record was deleted while it was pending ends as `cancelled`: neither a
 * decision nor the submitter's recall. The status check made by 0004 gains that value.
 */
export const approvalCancelled: EngineMigration = {
  name: '0005_approval_cancelled',
  async up(db, { schema }) {
    await db.raw('alter table ??.?? drop constraint if exists ??', [
      schema,
      APPROVAL_REQUESTS,
      `${APPROVAL_REQUESTS}_status_check`,
    ]);
    await db.raw(
      "alter table ??.?? add constraint ?? check (status in ('pending', 'approved', 'rejected', 'recalled', 'cancelled'))",
      [schema, APPROVAL_REQUESTS, `${APPROVAL_REQUESTS}_status_check`],
    );
  },
};
