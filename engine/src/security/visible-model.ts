import type { FieldDef, LayoutDef, VisibleField, VisibleModel, VisibleObject } from '../core/model.js';
import type { CompiledField, CompiledModel, CompiledObject } from '../metadata/compile.js';
import type { AccessPolicy } from '../records/access.js';

/**
 * Field settings only the engine evaluates (formulas, roll-ups, conditional rules). A screen
 * never needs them, and they may name fields the reader is not allowed to know about.
 */
const ENGINE_ONLY = ['expression', 'defaultExpression', 'summary', 'requiredIf', 'readOnlyIf'] as const;

/**
 * What the visible model depends on besides the metadata version: the profile (object and
 * field permissions), or the admin flag. Users who share a profile share one visible model.
 */
export const visibilityKey = (s: { isAdmin: boolean; profile: string | null }) =>
  s.isAdmin ? 'admin' : `p-${s.profile ?? ''}`;

const cache = new WeakMap<CompiledModel, Map<string, VisibleModel>>();

/**
 * The model as a user may see it: the objects their policy lets them read, each trimmed to
 * its readable fields, with what they may do with the object and with each field. Built once
 * per (metadata version, visibility key) and dropped with the version; `access` must be the
 * policy of a subject with that key. The result is shared: callers must not change it.
 */
export function visibleModel(model: CompiledModel, access: AccessPolicy, key: string): VisibleModel {
  let perModel = cache.get(model);
  if (!perModel) cache.set(model, (perModel = new Map()));
  let v = perModel.get(key);
  if (!v) {
    v = Object.freeze({
      version: model.version,
      objects: [...model.objects.values()]
        .filter((o) => access.can(o, 'read'))
        .map((o) => visibleObject(model, o, access)),
    });
    perModel.set(key, v);
  }
  return v;
}

function visibleObject(model: CompiledModel, o: CompiledObject, access: AccessPolicy): VisibleObject {
  const readable = access.readable(o);
  const editable = access.editable(o);
  const fields = o.fieldList
    .filter((f) => readable.has(f.name))
    .map((f) => visibleField(f, editable.has(f.name) && f.type.writable, readable));
  const out: VisibleObject = {
    id: o.id,
    name: o.name,
    label: o.def.label,
    pluralLabel: o.def.pluralLabel,
    fields,
    permissions: {
      create: access.can(o, 'create'),
      read: true,
      edit: access.can(o, 'edit'),
      delete: access.can(o, 'delete'),
      transfer: access.can(o, 'transfer'),
    },
  };
  if (o.def.description) out.description = o.def.description;
  if (o.nameField && readable.has(o.nameField)) out.nameField = o.nameField;
  if (o.def.layout) out.layout = visibleLayout(model, o.def.layout, readable, access);
  return out;
}

function visibleField(f: CompiledField, edit: boolean, readable: ReadonlySet<string>): VisibleField {
  const def: FieldDef = { ...f.def };
  for (const k of ENGINE_ONLY) delete def[k];
  // A dependent picklist whose controlling field is hidden cannot be narrowed on screen.
  if (def.controllingField && !readable.has(def.controllingField)) {
    delete def.controllingField;
    delete def.dependencies;
  }
  return { ...def, access: { read: true, edit } };
}

/**
 * The layout with hidden fields taken out of its sections and compact card, and related lists
 * kept only for child objects the user may read, with their readable columns (presentation
 * settings kept as they are).
 */
function visibleLayout(
  model: CompiledModel,
  layout: LayoutDef,
  readable: ReadonlySet<string>,
  access: AccessPolicy,
): LayoutDef {
  const out = structuredClone(layout);
  for (const s of out.sections ?? []) s.fields = s.fields.filter((n) => readable.has(n));
  if (out.compact) out.compact.fields = out.compact.fields.filter((n) => readable.has(n));
  if (out.relatedLists)
    out.relatedLists = out.relatedLists.flatMap((rl) => {
      const child = model.objects.get(rl.object);
      if (!child || !access.can(child, 'read') || !access.readable(child).has(rl.field)) return [];
      const cols = access.readable(child);
      return [{ ...rl, ...(rl.columns ? { columns: rl.columns.filter((c) => cols.has(c)) } : {}) }];
    });
  return out;
}
