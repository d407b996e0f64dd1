import type { PgBase, Storage } from '../fields/field-type.js';

/** The column type exactly as Postgres's format_type() prints it, so plans compare with the catalog. */
export function formatStorage(s: Storage): string {
  switch (s.pg) {
    case 'numeric':
      return `numeric(${s.precision ?? 18},${s.scale ?? 2})`;
    case 'timestamptz':
      return 'timestamp with time zone';
    default:
      return s.pg;
  }
}

/** Parses a format_type() string back into a storage description. */
export function parseFormatted(t: string): Storage | null {
  const m = /^numeric\((\d+),(\d+)\)$/.exec(t);
  if (m) return { pg: 'numeric', precision: Number(m[1]), scale: Number(m[2]) };
  const simple: Record<string, PgBase> = {
    text: 'text',
    integer: 'integer',
    boolean: 'boolean',
    date: 'date',
    'timestamp with time zone': 'timestamptz',
    uuid: 'uuid',
    'text[]': 'text[]',
  };
  return simple[t] ? { pg: simple[t] } : null;
}

export type Conversion = 'same' | 'lossless' | 'checked' | 'unsupported';

const intDigits = (s: Storage) => (s.precision ?? 18) - (s.scale ?? 2);

/** How a column of type `from` becomes `to`: in place, with a data check, or not at all. */
export function classifyConversion(from: Storage, to: Storage): Conversion {
  if (formatStorage(from) === formatStorage(to)) return 'same';
  if (to.pg === 'text') return 'lossless'; // everything has a text form
  switch (from.pg) {
    case 'text':
      return to.pg === 'text[]' ? 'lossless' : 'checked';
    case 'integer':
      if (to.pg === 'numeric') return intDigits(to) >= 10 ? 'lossless' : 'checked';
      return 'unsupported';
    case 'numeric':
      if (to.pg === 'numeric')
        return intDigits(to) >= intDigits(from) && (to.scale ?? 2) >= (from.scale ?? 2)
          ? 'lossless'
          : 'checked';
      return to.pg === 'integer' ? 'checked' : 'unsupported';
    case 'date':
      return to.pg === 'timestamptz' ? 'lossless' : 'unsupported';
    case 'timestamptz':
      return to.pg === 'date' ? 'checked' : 'unsupported';
    default:
      return 'unsupported';
  }
}
