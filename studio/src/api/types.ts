/** Shapes of the engine's API as the studio sees them. Metadata types come from the engine itself. */
export type {
  FieldDef,
  FieldTypeName,
  I18nText,
  JsonObject,
  JsonValue,
  Lang,
  ObjectAccess,
  ObjectDef,
  ObjectPermissions,
  OrgWideDefault,
  PackageDef,
  PicklistOption,
  ProfileDef,
  RoleDef,
  SharingDef,
  SharingRuleDef,
  VisibleField,
  VisibleModel,
  VisibleObject,
} from '../../../engine/src/core/model';
import type { FieldDef, I18nText, PackageDef } from '../../../engine/src/core/model';

export type RecordData = Record<string, unknown> & { id?: string; version?: number };

export interface Me {
  tenant: { slug: string; name: string };
  userId: string;
  isAdmin: boolean;
}

export interface Page<T = RecordData> {
  data: T[];
  meta: { next_cursor: string | null; has_more: boolean };
}

export interface MetaCurrent {
  version: number;
  hash: string;
  package: PackageDef;
}

/** One step of a metadata plan (engine/src/schema-sync/changes.ts, kept loose on purpose). */
export interface PlanChange {
  kind: string;
  object?: string;
  field?: string;
  [k: string]: unknown;
}

export interface PlanStep {
  change: PlanChange;
  ddl: boolean;
  sql: string[];
  blocking?: { count: number; rows: { id: string; value: unknown }[]; fixed: boolean };
}

/** An issue as a plan returns it: code + params, rendered by the studio in the UI language. */
export interface PlanIssue {
  pointer: string;
  code: string;
  params?: Record<string, unknown>;
  message?: string;
  detail?: unknown;
}

/** A field or object a deploy retires (hides until a rollback), with the rows holding data. */
export interface RetiredItem {
  object: string;
  field?: string;
  label: I18nText;
  objectLabel: I18nText;
  rows: number;
  /** The key to send in `confirm` (needed when rows > 0). */
  confirm: string;
  needsConfirmation: boolean;
  confirmed: boolean;
}

export interface DeployResult {
  applied: boolean;
  version: number;
  previousVersion: number;
  hash: string;
  /** What runs (ids, SQL): a deploy sent with `expectPlan` runs exactly this, or is refused. */
  planHash?: string;
  steps: PlanStep[];
  issues: PlanIssue[];
  retired?: RetiredItem[];
  /** Allowed but harmful, with messages in the reader's language. */
  warnings?: PlanIssue[];
}

export interface MetaVersion {
  version: number;
  hash: string;
  comment: string | null;
  created_by: string | null;
  created_at: string;
  changes: unknown;
}

export interface HistoryEntry {
  field: string;
  old: unknown;
  new: unknown;
  actor: string;
  at: string;
}

/** One object's matches in the header search (GET /search). */
export interface SearchGroup {
  object: string;
  records: { id: string; name: string | null }[];
  more: boolean;
}

/** A user as anyone may see them (GET /users/lookup): a name for an id. */
export interface UserName {
  id: string;
  name: string;
}

/** A user as administrators see them (GET /users). */
export interface UserRow {
  id: string;
  username: string;
  display_name?: string;
  email?: string | null;
  role?: string | null;
  profile?: string | null;
  manager?: string | null;
  is_admin?: boolean;
  active?: boolean;
  created_at?: string;
  [k: string]: unknown;
}

/** POST /users. */
export interface NewUser {
  username: string;
  displayName: string;
  email?: string | null;
  password?: string;
  role?: string | null;
  profile?: string | null;
  manager?: string | null;
  isAdmin?: boolean;
}

/** PATCH /users/{id}. */
export type UserPatch = Partial<Pick<NewUser, 'displayName' | 'email' | 'role' | 'profile' | 'manager'>> & {
  active?: boolean;
};

export type { FieldDef as Field };
