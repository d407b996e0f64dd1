import type { Knex } from 'knex';
import type { Ident } from '../core/ident.js';

/** A platform-wide secret shared by every engine process (signs cursors). */
export async function platformSetting(knex: Knex, schema: Ident, key: string): Promise<string> {
  const row = await knex.withSchema(schema).table('settings').where({ key }).first('value');
  if (!row) throw new Error(`platform setting ${key} missing`);
  return row.value as string;
}
