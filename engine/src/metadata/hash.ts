import type { JsonValue } from '../core/model.js';

/** JSON with object keys sorted, so equal packages serialise (and hash) equally. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(sortKeys(v as JsonValue));
}

function sortKeys(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .filter((k) => v[k] !== undefined)
        .map((k) => [k, sortKeys(v[k])]),
    );
  return v;
}
