import type { Ident } from '../core/ident.js';
import type { Storage } from '../fields/field-type.js';

export interface ColumnPlan {
  name: Ident;
  storage: Storage;
}

/** Why a conversion may lose data; the runner counts the rows that would and refuses unless allowed. */
export type ConversionRisk = 'lossless' | 'checked';

/**
 * One step of a migration plan. Pure data: the planner makes it, ddl.ts renders it to SQL,
 * apply.ts runs it. Every change names the object (and field) it serves, for people.
 */
export type SchemaChange =
  | { kind: 'dropForeignKey'; table: Ident; name: Ident }
  | { kind: 'dropIndex'; name: Ident }
  | { kind: 'retireColumn'; object: string; field: string; table: Ident; column: Ident; to: Ident }
  | { kind: 'retireTable'; object: string; table: Ident; to: Ident }
  | { kind: 'restoreTable'; object: string; from: Ident; to: Ident }
  | { kind: 'renameTable'; object: string; from: Ident; to: Ident }
  | { kind: 'createTable'; object: string; table: Ident; objectId: string; columns: ColumnPlan[] }
  | { kind: 'restoreColumn'; object: string; field: string; table: Ident; from: Ident; to: Ident }
  | { kind: 'renameColumn'; object: string; field: string; table: Ident; from: Ident; to: Ident }
  | { kind: 'addColumn'; object: string; field: string; table: Ident; column: ColumnPlan }
  | {
      kind: 'alterType';
      object: string;
      field: string;
      table: Ident;
      column: Ident;
      from: string;
      to: Storage;
      risk: ConversionRisk;
    }
  | { kind: 'narrowText'; object: string; field: string; table: Ident; column: Ident; maxLength: number }
  | { kind: 'addIndex'; object: string; table: Ident; name: Ident; columns: Ident[]; unique: boolean }
  | {
      kind: 'addForeignKey';
      object: string;
      field: string;
      table: Ident;
      column: Ident;
      name: Ident;
      refTable: Ident;
      onDelete: 'restrict' | 'set_null' | 'cascade';
    }
  | {
      kind: 'picklistChange';
      object: string;
      field: string;
      added: string[];
      removed: string[];
      deactivated: string[];
    }
  // Data moves made by process features at deploy (processes/stages): shown in the plan with
  // how many records move; no DDL.
  | { kind: 'setBusinessType'; object: string; from: string | null; to: string; count: number }
  | {
      kind: 'moveStage';
      object: string;
      field: string;
      pipeline: string;
      businessType: string | null;
      from: string;
      to: string;
      count: number;
    }
  | {
      kind: 'refused';
      object: string;
      field?: string;
      pointer: string;
      code: string;
      params: Record<string, unknown>;
    };

export type ChangeKind = SchemaChange['kind'];

/** Changes that make no DDL: shown in the plan, applied as metadata alone. */
export const isMetadataOnly = (c: SchemaChange) =>
  c.kind === 'picklistChange' || c.kind === 'setBusinessType' || c.kind === 'moveStage';

export interface MigrationPlan {
  fromVersion: number;
  changes: SchemaChange[];
}
