const SPECIAL = /["\\]/;
const SPECIALS = /["\\]/g;

/**
 * A Postgres array literal (`{"a","b",NULL,3}`) of scalar values, for one `?::<type>[]` parameter:
 * what pg makes of an array parameter, without its per-element preparation (two regular-expression
 * replacements per element); a batch of 1,000 creates binds a dozen such arrays. Every non-null
 * element but a number or a boolean is quoted, so commas, braces, spaces and the text `NULL` stay text.
 */
export function arrayLiteral(values: readonly unknown[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i) out += ',';
    const v = values[i];
    if (v === null || v === undefined) out += 'NULL';
    else if (typeof v === 'number') out += String(v);
    else if (typeof v === 'boolean') out += v ? 't' : 'f';
    else {
      const s = typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : JSON.stringify(v);
      out += SPECIAL.test(s) ? `"${s.replace(SPECIALS, '\\$&')}"` : `"${s}"`;
    }
  }
  return out + '}';
}
