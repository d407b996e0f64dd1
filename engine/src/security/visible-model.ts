import type { FieldDef, JsonObject, VisibleField, VisibleModel, VisibleObject } from '../core/model.js';
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
        .map((o) => visibleObject(o, access)),
    });
    perModel.set(key, v);
  }
  return v;
}

function visibleObject(o: CompiledObject, access: AccessPolicy): VisibleObject {
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
    },
  };
  if (o.def.description) out.description = o.def.description;
  if (o.nameField && readable.has(o.nameField)) out.nameField = o.nameField;
  if (o.def.layout) out.layout = visibleLayout(o.def.layout, readable);
  const compact = o.def.compactLayout?.fields.filter((n) => readable.has(n));
  if (compact?.length) out.compactLayout = { fields: compact };
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

/** The layout with hidden fields taken out of its sections (presentation settings kept as they are). */
function visibleLayout(layout: JsonObject, readable: ReadonlySet<string>): JsonObject {
  const out = structuredClone(layout);
  if (Array.isArray(out.sections))
    for (const s of out.sections)
      if (s && typeof s === 'object' && !Array.isArray(s) && Array.isArray(s.fields))
        s.fields = s.fields.filter((n) => typeof n === 'string' && readable.has(n));
  return out;
}
