import type { Knex } from 'knex';
import type { Ident } from '../../core/ident.js';

/** What a migration works on: the platform schema, and for a tenant migration the tenant's schema. */
export interface MigrationContext {
  platform: Ident;
  /** The schema migrated: the platform schema itself, or the tenant's schema. */
  schema: Ident;
}

/**
 * One step of the engine's own tables. Runs inside the migrator's transaction (with every other
 * pending step of the same schema), so a failure leaves the schema as it was. Forward only.
 * The name is recorded once applied: never rename or edit a released step, add a new one.
 */
export interface EngineMigration {
  name: string;
  up(db: Knex, ctx: MigrationContext): Promise<void>;
}
