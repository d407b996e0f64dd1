/** What the tenant's schema holds right now, read from the catalog (see db/introspect.ts). */
export interface DbSnapshot {
  /** table → column → formatted type (as `format_type()` prints it). */
  tables: Map<string, Map<string, string>>;
  /** index name → its table and uniqueness (primary keys excluded). */
  indexes: Map<string, { table: string; unique: boolean }>;
  /** foreign-key constraint name → table, referenced table, on-delete action. */
  foreignKeys: Map<
    string,
    { table: string; refTable: string; onDelete: 'restrict' | 'set_null' | 'cascade' | 'other' }
  >;
}

export const emptySnapshot = (): DbSnapshot => ({
  tables: new Map(),
  indexes: new Map(),
  foreignKeys: new Map(),
});
