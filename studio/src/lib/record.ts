import type { ObjectDef, RecordData } from '../api/types';
import { lookupId } from '../widgets/format';
import { canEditField } from './access';
import { isRelationField } from './objects';

/** A field's value as the API wants it: lookups as ids, empty strings as null. */
function plain(o: ObjectDef, name: string, v: unknown): unknown {
  const f = o.fields.find((x) => x.name === name);
  if (f && isRelationField(f)) return lookupId(v);
  if (v === '' || v === undefined) return null;
  if (Array.isArray(v) && v.length === 0) return null;
  return v;
}

/**
 * The body of a POST (every field the user may set, with a value) or of a PATCH (only those
 * whose value changed from `original`). Read-only fields are never sent: the engine refuses them.
 */
export function toPayload(o: ObjectDef, values: RecordData, original?: RecordData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of o.fields) {
    if (!canEditField(f)) continue;
    const v = plain(o, f.name, values[f.name]);
    if (!original) {
      if (v !== null) out[f.name] = v;
    } else if (JSON.stringify(v) !== JSON.stringify(plain(o, f.name, original[f.name]))) out[f.name] = v;
  }
  return out;
}

/** Starting values of a create form: the default of each field the user may set. */
export function defaultsOf(o: ObjectDef): RecordData {
  const out: RecordData = {};
  for (const f of o.fields) if (canEditField(f) && f.default !== undefined) out[f.name] = f.default;
  return out;
}
