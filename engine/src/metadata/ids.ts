import type { PackageDef } from '../core/model.js';

/**
 * Gives every object and field a stable id. An object or field without one keeps the id of the
 * same-named one in the current package, or gets a new one: so authors may omit ids, and renames
 * (which need the id) keep their data. Returns a new package; the input is not changed.
 */
const randomUUID = () => globalThis.crypto.randomUUID();

export function assignIds(next: PackageDef, current: PackageDef | null): PackageDef {
  const currentObjects = new Map((current?.objects ?? []).map((o) => [o.name, o]));
  return {
    ...next,
    objects: next.objects.map((o) => {
      const prev = o.id ? current?.objects.find((c) => c.id === o.id) : currentObjects.get(o.name);
      const prevFields = new Map((prev?.fields ?? []).map((f) => [f.name, f]));
      return {
        ...o,
        id: o.id ?? prev?.id ?? randomUUID(),
        fields: o.fields.map((f) => ({ ...f, id: f.id ?? prevFields.get(f.name)?.id ?? randomUUID() })),
      };
    }),
  };
}
