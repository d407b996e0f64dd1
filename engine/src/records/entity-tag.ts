import type { JsonValue } from '../core/model.js';
import type { CompiledField, CompiledObject } from '../metadata/compile.js';
import { perObject } from '../metadata/per-object.js';

/** Fields whose stored value the engine computes from other records (roll-ups, formulas). */
const derivedFields = perObject((o): readonly CompiledField[] =>
  o.fieldList.filter((f) => f.def.summary || f.def.expression !== undefined),
);

/**
 * A record's ETag: `"<version>"`, or `"<version>-<hash of its derived values>"` when the
 * representation holds roll-ups or formulas. Recalculation changes derived values without bumping
 * the edit version (so it never makes a colleague's edit fail with 412), yet a client holding the
 * old tag must not get a 304 for a record whose roll-up changed. `If-Match` compares only the
 * version part (see api/http-helpers `ifMatch`).
 */
export function entityTag(o: CompiledObject, record: Record<string, JsonValue>, version: number): string {
  const derived = derivedFields(o);
  let h = 0x811c9dc5; // FNV-1a, 32 bits: a change detector, not a secret
  let any = false;
  for (const f of derived) {
    if (!(f.name in record)) continue;
    any = true;
    const text = `${f.name}=${JSON.stringify(record[f.name] ?? null)};`;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  return any ? `"${version}-${(h >>> 0).toString(36)}"` : `"${version}"`;
}
