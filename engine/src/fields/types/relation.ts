import type { FieldType } from '../field-type.js';

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const targetSetting = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$' };

export const lookup: FieldType = {
  name: 'lookup',
  label: { en: 'Lookup', 'zh-CN': '查找关联' },
  settings: { target: targetSetting, onDelete: { enum: ['restrict', 'set_null'] } },
  requiredSettings: ['target'],
  defaults: { onDelete: 'restrict' },
  storage: (f) => ({
    pg: 'uuid',
    references: { object: f.target ?? '', onDelete: f.onDelete === 'set_null' ? 'set_null' : 'restrict' },
  }),
  valueSchema: () => ({ type: 'string', pattern: UUID }),
  operand: 'uuid',
  operators: ['eq', 'ne', 'in', 'nin', 'isNull'],
  writable: true,
  sortable: true,
  groupable: true,
  aggregates: [],
  widget: 'lookup',
};

/** A child that cannot live without its parent: required, and deleted with it. */
export const masterDetail: FieldType = {
  name: 'master_detail',
  label: { en: 'Master-detail', 'zh-CN': '主从关联' },
  settings: { target: targetSetting },
  requiredSettings: ['target'],
  defaults: { required: true, onDelete: 'cascade' },
  storage: (f) => ({ pg: 'uuid', references: { object: f.target ?? '', onDelete: 'cascade' } }),
  valueSchema: () => ({ type: 'string', pattern: UUID }),
  operand: 'uuid',
  operators: ['eq', 'ne', 'in', 'nin', 'isNull'],
  writable: true,
  sortable: true,
  groupable: true,
  aggregates: [],
  widget: 'lookup',
};

/**
 * A person of the tenant (an approver, a presales engineer, whom to notify): a uuid column with a
 * foreign key to `_users` that restricts deletes, since a record must never silently lose who
 * its person was (users are suspended, not deleted). Filters like a lookup (`eq`, `in`, `isNull`…),
 * sorts and groups by the id, and `expand` turns it into `{id, name}` with the name that
 * GET /users/lookup shows everyone.
 */
export const user: FieldType = {
  name: 'user',
  label: { en: 'User', 'zh-CN': '用户' },
  settings: {},
  storage: () => ({ pg: 'uuid', users: true }),
  valueSchema: () => ({ type: 'string', pattern: UUID }),
  operand: 'uuid',
  operators: ['eq', 'ne', 'in', 'nin', 'isNull'],
  writable: true,
  sortable: true,
  groupable: true,
  aggregates: [],
  widget: 'user',
};
