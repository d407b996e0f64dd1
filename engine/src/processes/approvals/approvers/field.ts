import type { FieldDef, ObjectDef } from '../../../core/model.js';
import type { ApproverKind } from './registry.js';
import { activeUsers, idsOf } from '../users.js';

const USER_SYSTEM_FIELDS = new Set(['owner', 'created_by', 'updated_by']);
const LOOKUP_TYPES = new Set(['lookup', 'master_detail']);

/** Is `name` a field of `o` holding a user (a `user` field, or owner / created_by / updated_by)? */
export const isUserField = (o: ObjectDef, name: string) =>
  USER_SYSTEM_FIELDS.has(name) || o.fields.some((f) => f.name === name && f.type === 'user');

export const labelOf = (o: ObjectDef | undefined, name: string) =>
  o?.fields.find((f) => f.name === name)?.label ?? { en: name, 'zh-CN': name };

/** The user named in a user field of the record (e.g. its reviewer, or its owner). */
export const fieldApprover: ApproverKind = {
  kind: 'field',
  label: { en: 'User field on the record', 'zh-CN': '记录上的用户字段' },
  configSchema: {
    properties: { field: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$' } },
    required: ['field'],
  },
  checkAtDeploy(def, ctx) {
    return isUserField(ctx.object, def.field as string)
      ? []
      : [
          {
            pointer: `${ctx.pointer}/field`,
            code: 'APPROVAL_NOT_USER_FIELD',
            params: { field: def.field, object: ctx.object.label },
          },
        ];
  },
  compile(def, _model, object) {
    const name = def.field as string;
    const column = USER_SYSTEM_FIELDS.has(name) ? name : object.fields.get(name)!.column;
    const label = labelOf(object.def, name);
    return {
      kind: 'field',
      describe: { en: `the user in “${label.en}”`, 'zh-CN': `“${label['zh-CN']}”中的用户` },
      async resolve(c) {
        const id = c.row[column];
        return typeof id === 'string' ? idsOf(activeUsers(c.db, c.schema).where('id', id)) : [];
      },
    };
  },
};

/**
 * A user field on a record reached through lookups, e.g. `["product_line", "product_manager"]`:
 * the product manager of the record's product line. Up to three lookups.
 */
export const relatedFieldApprover: ApproverKind = {
  kind: 'related_field',
  label: { en: 'User field on a related record', 'zh-CN': '关联记录上的用户字段' },
  configSchema: {
    properties: {
      path: {
        type: 'array',
        minItems: 2,
        maxItems: 4,
        items: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$' },
      },
    },
    required: ['path'],
  },
  checkAtDeploy(def, ctx) {
    const path = def.path as string[];
    let o: ObjectDef | undefined = ctx.object;
    for (const [i, name] of path.entries()) {
      const at = `${ctx.pointer}/path/${i}`;
      const last = i === path.length - 1;
      if (last)
        return isUserField(o, name)
          ? []
          : [{ pointer: at, code: 'APPROVAL_NOT_USER_FIELD', params: { field: name, object: o.label } }];
      const f: FieldDef | undefined = o.fields.find((x) => x.name === name);
      if (!f || !LOOKUP_TYPES.has(f.type) || !f.target)
        return [{ pointer: at, code: 'APPROVAL_NOT_LOOKUP', params: { field: name, object: o.label } }];
      const target: string = f.target;
      o = ctx.pkg.objects.find((x) => x.name === target);
      if (!o) return [{ pointer: at, code: 'META_UNKNOWN_TARGET', params: { target } }];
    }
    return [];
  },
  compile(def, model, object) {
    const path = def.path as string[];
    const hops: { column: string; target: (typeof object)['table'] }[] = [];
    let o = object;
    for (const name of path.slice(0, -1)) {
      const f = o.fields.get(name)!;
      const target = model.objects.get(f.def.target!)!;
      hops.push({ column: f.column, target: target.table });
      o = target;
    }
    const last = path[path.length - 1];
    const lastColumn = USER_SYSTEM_FIELDS.has(last) ? last : o.fields.get(last)!.column;
    const names = path.map((n, i) => labelOf(i === 0 ? object.def : undefined, n));
    return {
      kind: 'related_field',
      describe: {
        en: `the user in ${path.join(' → ')}`,
        'zh-CN': `${names[0]['zh-CN']} → ${path.slice(1).join(' → ')} 中的用户`,
      },
      async resolve(c) {
        let row: Record<string, unknown> | undefined = c.row;
        for (const hop of hops) {
          const id = row?.[hop.column];
          if (typeof id !== 'string') return [];
          row = (await c.db.withSchema(c.schema).from(hop.target).where('id', id).first()) as
            Record<string, unknown> | undefined;
        }
        const id = row?.[lastColumn];
        return typeof id === 'string' ? idsOf(activeUsers(c.db, c.schema).where('id', id)) : [];
      },
    };
  },
};
