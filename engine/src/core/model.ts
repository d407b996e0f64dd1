/**
 * The shape of metadata as authors write it (metadata/*.json, the studio, the metadata API).
 * Plain types, no logic: every layer above imports these.
 */
import type { ApprovalFlowDef, NotificationTemplateDef, QueueDef } from './approval-model.js';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [k: string]: JsonValue };
export type JsonObject = { [k: string]: JsonValue };

export const LANGS = ['en', 'zh-CN'] as const;
export type Lang = (typeof LANGS)[number];
/** A text in both product languages. */
export type I18nText = { en: string; 'zh-CN': string };

export type FieldTypeName =
  | 'text'
  | 'textarea'
  | 'rich_text'
  | 'integer'
  | 'number'
  | 'currency'
  | 'percent'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'multi_picklist'
  | 'lookup'
  | 'master_detail'
  | 'user'
  | 'auto_number'
  | 'formula'
  | 'rollup';

export interface PicklistOption {
  value: string;
  label: I18nText;
  order?: number;
  active?: boolean;
}

/** A field definition. Type-specific settings sit beside the common ones (validated per type). */
export interface FieldDef {
  /** Stable id (uuid). Optional on input: the engine keeps the id of a same-named field, or mints one. */
  id?: string;
  name: string;
  label: I18nText;
  type: FieldTypeName;
  description?: string;
  help?: I18nText;
  required?: boolean;
  unique?: boolean;
  indexed?: boolean;
  /** Keep every change of this field (old value, new value, who, when), queryable per record. */
  trackHistory?: boolean;
  default?: JsonValue;
  // text-like
  maxLength?: number;
  // numeric
  precision?: number;
  scale?: number;
  min?: number;
  max?: number;
  currencyCode?: string;
  // picklists
  options?: PicklistOption[];
  // relations
  target?: string;
  onDelete?: 'restrict' | 'set_null' | 'cascade';
  // auto-number
  format?: string;
  // formula / roll-up (declared here, computed by the rules layer)
  returnType?: 'text' | 'number' | 'integer' | 'boolean' | 'date' | 'datetime' | 'currency' | 'percent';
  expression?: JsonValue;
  summary?: {
    object: string;
    field?: string;
    via: string;
    fn: 'count' | 'sum' | 'min' | 'max';
    filter?: JsonValue;
  };
  // rules (json-logic expressions over the record; see docs/rules.md)
  /** The field is required when this condition holds. */
  requiredIf?: JsonValue;
  /** The field may not change when this condition holds (evaluated on the record as it would be saved). */
  readOnlyIf?: JsonValue;
  /** A value computed at create when the caller sends none. */
  defaultExpression?: JsonValue;
  /** Dependent picklist: the picklist or boolean field whose value decides which options are allowed. */
  controllingField?: string;
  /** Controlling value → allowed option values of this field; a value not listed allows none. */
  dependencies?: Record<string, string[]>;
}

/** A condition that makes a record invalid, with the message the user reads. */
export interface ValidationRuleDef {
  name: string;
  label?: I18nText;
  /** json-logic: when it holds (is truthy), the record is refused. */
  condition: JsonValue;
  message: I18nText;
  /** The field the error is attached to; absent: the record as a whole. */
  field?: string;
  /** Inactive rules are kept but not enforced (default true). */
  active?: boolean;
  /**
   * The writes the rule checks (default create and update). On delete it sees the record being
   * deleted, as stored.
   */
  on?: ValidationRuleOp[];
}

export type ValidationRuleOp = 'create' | 'update' | 'delete';

/** How a matched field is normalised before comparing (see docs/rules.md). */
export type DuplicateNormalize = 'text' | 'company' | 'phone' | 'email' | 'none';

export interface DuplicateRuleDef {
  name: string;
  label?: I18nText;
  active?: boolean;
  /** All conditions must match (AND); several rules are alternatives (OR). */
  match: { field: string; normalize?: DuplicateNormalize; similarity?: number }[];
  /** block: refuse the write; warn: refuse unless the caller sends an override with a reason. */
  action: 'block' | 'warn';
}

export interface IndexDef {
  fields: string[];
  unique?: boolean;
}

export interface ObjectDef {
  id?: string;
  name: string;
  label: I18nText;
  pluralLabel: I18nText;
  description?: I18nText;
  /** Which field names a record in lists and lookups; defaults to the first text field. */
  nameField?: string;
  fields: FieldDef[];
  indexes?: IndexDef[];
  /** Presentation only: form sections, related lists, the compact card (layout.schema.json). */
  layout?: LayoutDef;
  /** Who sees and edits which records (organisation-wide default, sharing rules). */
  sharing?: SharingDef;
  /** Conditions that refuse a write, each with a bilingual message (docs/rules.md). */
  validationRules?: ValidationRuleDef[];
  /** Matching rules that block or warn about duplicate records (docs/rules.md). */
  duplicateRules?: DuplicateRuleDef[];
  /**
   * Publish its records' change events (created, updated, deleted) to the outbox, for
   * integrations and automation. Off by default, as Salesforce's Change Data Capture selects
   * entities: an event row costs every write a second insert. An automation on the object
   * turns it on by itself.
   */
  changeEvents?: boolean;
  // Later issues: businessTypes, stagePipelines, approvalFlows, pools, timeRules.
  [extension: `x_${string}`]: JsonValue | undefined;
}

/** The record page of an object (metadata/schema/layout.schema.json); checked at deploy. */
export interface LayoutDef {
  sections?: { label?: I18nText; columns?: number; collapsed?: boolean; fields: string[] }[];
  /** Child records on the page: the child object and its lookup to this one. */
  relatedLists?: {
    object: string;
    field: string;
    label?: I18nText;
    columns?: string[];
    sort?: string;
    limit?: number;
  }[];
  /** Fields a card shows (phone list, kanban, a lookup's hover). */
  compact?: { fields: string[] };
  [extension: `x_${string}`]: JsonValue | undefined;
}

/**
 * A place for a process feature's definitions (business types, pipelines, approval flows,
 * automations, pools): a name, the object it applies to, and settings the later issues define.
 */
export interface ProcessDef {
  name: string;
  object: string;
  label?: I18nText;
  [setting: string]: JsonValue | undefined;
}

/** The metadata format this engine writes; packages without `formatVersion` are version 1. */
export const FORMAT_VERSION = 1;

/** A metadata package: the whole set of a tenant's objects, deployed as one unit. */
export interface PackageDef {
  /** Version of the metadata format (absent: 1). Deploys store it; GET /meta returns it. */
  formatVersion?: number;
  name?: string;
  description?: string;
  objects: ObjectDef[];
  /** The role hierarchy: a manager sees what the roles below theirs own. */
  roles?: RoleDef[];
  /** Permission sets: object and field permissions, assigned to users. */
  profiles?: ProfileDef[];
  /** Kinds of records of an object (业务类型): options, required fields, layout and pipeline per kind. */
  businessTypes?: BusinessTypeDef[];
  /** Stage pipelines on a picklist field of an object, with the entry gate of each stage. */
  pipelines?: PipelineDef[];
  /** Approval flows (core/approval-model.ts, docs/metadata.md). */
  approvalFlows?: ApprovalFlowDef[];
  // Process features of later issues (today: a name, an existing object, unique names).
  automations?: ProcessDef[];
  pools?: ProcessDef[];
  /** Named groups of users that approval steps (and later pools) route to. */
  queues?: QueueDef[];
  /** Notification texts overriding the built-in ones by name. */
  notificationTemplates?: NotificationTemplateDef[];
}

/**
 * A business type (record type): a kind of record of one object with its own picklist options,
 * required fields, layout and stage pipeline. A record's type is the system field `business_type`.
 */
export interface BusinessTypeDef {
  name: string;
  object: string;
  label: I18nText;
  description?: I18nText;
  /** Profiles that may create records of this type or move records to it; absent: everyone. */
  profiles?: string[];
  /** The object's default type (at most one per object; else the first type). */
  default?: boolean;
  /** Profiles for which this type is the default at create (before the object's default). */
  defaultFor?: string[];
  /** Picklist field → the option values records of this type may use (a subset of its options). */
  picklists?: Record<string, string[]>;
  /** Fields records of this type must have a value in, beside the fields required for all. */
  required?: string[];
  /** The record page of this type (a typed layout, like an object's). */
  layout?: LayoutDef;
  /** The stage pipeline records of this type follow. */
  pipeline?: string;
  active?: boolean;
}

export type StageCategory = 'open' | 'won' | 'lost';

/** One condition of a stage's entry gate; `kind` names an entry of the gate item registry. */
export interface GateItemDef {
  kind: string;
  /** Stable name of the item within its stage (default `<kind>_<n>`): the machine code's key. */
  name?: string;
  /** What the checklist shows; a label is generated from the item when absent. */
  label?: I18nText;
  [setting: string]: JsonValue | undefined;
}

export interface StageDef {
  /** An option value of the pipeline's stage field. */
  value: string;
  probability?: number;
  category?: StageCategory;
  /** pipeline, best_case, commit, omitted, closed. */
  forecastCategory?: string;
  /** Markdown shown to the user in this stage. */
  guidance?: I18nText;
  /** Days a record is expected to stay here; past them it is `stale`. */
  maxDays?: number;
  /** What must hold for a record to enter this stage. */
  gate?: GateItemDef[];
}

export interface PipelineDef {
  name: string;
  object: string;
  label: I18nText;
  /** The picklist field that holds the stage (every pipeline of an object uses the same one). */
  field: string;
  stages: StageDef[];
  /** May a record move to an earlier stage (default true)? */
  allowBack?: boolean;
  /** May a record skip stages (default false)? Skipping checks every skipped stage's gate. */
  allowSkip?: boolean;
}

export type OrgWideDefault = 'private' | 'public_read' | 'public_read_write';

export interface SharingRuleDef {
  name: string;
  label?: I18nText;
  /** Records matching this filter (the records filter language) are shared… */
  filter: JsonObject;
  /** …with the users in this role (and, if asked, the roles below it)… */
  role: string;
  includeSubordinates?: boolean;
  /** …for reading, or for reading and editing. */
  access: 'read' | 'edit';
}

export interface SharingDef {
  default: OrgWideDefault;
  rules?: SharingRuleDef[];
}

export interface RoleDef {
  name: string;
  label: I18nText;
  parent?: string;
}

export interface ObjectPermissions {
  create?: boolean;
  read?: boolean;
  edit?: boolean;
  delete?: boolean;
  /** Read every record, whoever owns it. */
  viewAll?: boolean;
  /** Edit and delete every record, whoever owns it. */
  modifyAll?: boolean;
  /** Give records they may edit to another owner (PATCH of `owner`, batch transfer). */
  transfer?: boolean;
}

export interface ProfileDef {
  name: string;
  label: I18nText;
  objects: Record<string, ObjectPermissions>;
  /** Field-level security: object → field → access; a field not listed is editable when the object is. */
  fields?: Record<string, Record<string, 'none' | 'read' | 'edit'>>;
}

/** Fields every record has, maintained by the engine. */
export interface SystemValues {
  id: string;
  owner: string | null;
  created_at: string;
  created_by: string | null;
  updated_at: string;
  updated_by: string | null;
  version: number;
}

/**
 * The model as one user may see it (GET /api/v1/meta/objects): only the objects their profile
 * reads, each with only the fields they may read, what they may do with it and each field.
 */
export interface VisibleField extends FieldDef {
  access: { read: true; edit: boolean };
}

/** What the caller's profile lets them do with an object's records. */
export interface ObjectAccess {
  create: boolean;
  read: boolean;
  edit: boolean;
  delete: boolean;
  transfer: boolean;
}

/** An object as one user sees it: usable wherever an ObjectDef is read. */
export type VisibleObject = Omit<
  ObjectDef,
  'fields' | 'indexes' | 'sharing' | 'validationRules' | 'duplicateRules'
> & {
  fields: VisibleField[];
  permissions: ObjectAccess;
  /** The object has business types or a stage pipeline: GET /stages/{object} describes them. */
  stages?: true;
};

export interface VisibleModel {
  version: number;
  objects: VisibleObject[];
}
