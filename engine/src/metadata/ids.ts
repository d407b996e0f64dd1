import { sha256 } from '@noble/hashes/sha2';
import type { PackageDef } from '../core/model.js';

/**
 * Where minted ids come from: a deploy seeds them with the tenant and the version it starts
 * from, so a dry run and the deploy of the same body against the same base mint the same ids
 * (and so the same index and foreign-key names, the same SQL and the same hash).
 */
export interface IdSeed {
  tenant: string;
  /** The deployed version the package is planned against (0 for a new tenant). */
  baseVersion: number;
}

/**
 * A uuid (RFC 9562 version 8, "custom") derived from a seed and a path: the first 16 bytes of
 * SHA-256(tenant \0 baseVersion \0 path). Distinct paths of one deploy give distinct ids, and a
 * later deploy (another base version) never re-mints an id of an earlier one.
 */
export function mintId(seed: IdSeed, path: string): string {
  const b = sha256(new TextEncoder().encode(`${seed.tenant}\u0000${seed.baseVersion}\u0000${path}`));
  b[6] = (b[6] & 0x0f) | 0x80; // version 8
  b[8] = (b[8] & 0x3f) | 0x80; // variant 10
  const hex = Array.from(b.subarray(0, 16), (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Gives every object and field a stable id. An object or field without one keeps the id of the
 * same-named one in the current package, or gets one minted from `seed` and its path
 * (`object:<name>`, `field:<object>.<name>`): so authors may omit ids, renames (which need the
 * id) keep their data, and planning the same body twice gives the same ids. Returns a new
 * package; the input is not changed.
 */
export function assignIds(next: PackageDef, current: PackageDef | null, seed: IdSeed): PackageDef {
  const currentObjects = new Map((current?.objects ?? []).map((o) => [o.name, o]));
  return {
    ...next,
    objects: next.objects.map((o) => {
      const prev = o.id ? current?.objects.find((c) => c.id === o.id) : currentObjects.get(o.name);
      const prevFields = new Map((prev?.fields ?? []).map((f) => [f.name, f]));
      return {
        ...o,
        id: o.id ?? prev?.id ?? mintId(seed, `object:${o.name}`),
        fields: o.fields.map((f) => ({
          ...f,
          id: f.id ?? prevFields.get(f.name)?.id ?? mintId(seed, `field:${o.name}.${f.name}`),
        })),
      };
    }),
  };
}
