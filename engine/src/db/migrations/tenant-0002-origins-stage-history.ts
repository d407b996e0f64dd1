import { FIELD_HISTORY, STAGE_HISTORY } from '../engine-tables.js';
import type { EngineMigration } from './migration.js';

/**
 * Write origins in field history (records/pipeline), and stage history (processes/stages): one
 * row per stay of a record in a stage, from entering to leaving, with who moved it and the
 * write's origin. `if not exists`: tenants deployed by an engine that made these itself adopt them.
 */
export const originsAndStageHistory: EngineMigration = {
  name: '0002_origins_stage_history',
  async up(db, { schema }) {
    await db.raw("alter table ??.?? add column if not exists origin text not null default 'user'", [
      schema,
      FIELD_HISTORY,
    ]);
    await db.raw(
      "create table if not exists ??.?? (seq bigserial primary key, object_id uuid not null, record_id uuid not null, pipeline text, business_type text, from_stage text, to_stage text not null, entered_at timestamp with time zone not null, left_at timestamp with time zone, actor uuid, origin text not null default 'user')",
      [schema, STAGE_HISTORY],
    );
    await db.raw('create index if not exists ix_stage_history_record on ??.?? (object_id, record_id, seq)', [
      schema,
      STAGE_HISTORY,
    ]);
    await db.raw(
      'create index if not exists ix_stage_history_stage on ??.?? (object_id, pipeline, to_stage)',
      [schema, STAGE_HISTORY],
    );
  },
};
