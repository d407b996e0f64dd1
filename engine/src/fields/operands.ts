import { text } from '../core/messages.js';
import type { I18nText } from '../core/model.js';
import type { OperandKind, Storage } from './field-type.js';
import { INT32, numericLimit } from './types/numeric.js';
import { isCalendarDate, isDateTime } from './types/scalar.js';

/** The longest text a filter may compare with. */
export const OPERAND_MAX_LENGTH = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a filter operand is a value of the field's kind that its column can hold, by each
 * type's own parser (a real calendar date, a number within the column's precision), so a filter
 * never reaches Postgres with a value it would refuse. Returns why not, in both languages.
 */
export function operandProblem(kind: OperandKind, storage: Storage | undefined, v: unknown): I18nText | null {
  switch (kind) {
    case 'string':
      if (typeof v !== 'string' || v.length > OPERAND_MAX_LENGTH)
        return text('R_EXPECTED_TEXT', { max: OPERAND_MAX_LENGTH });
      return v.includes('\u0000') ? text('R_NUL') : null; // Postgres text cannot hold U+0000
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) return text('R_EXPECTED_NUMBER');
      return inRange(v, storage);
    case 'integer':
      if (!Number.isInteger(v)) return text('R_EXPECTED_INTEGER');
      return inRange(v as number, storage ?? { pg: 'integer' });
    case 'boolean':
      return typeof v === 'boolean' ? null : text('R_EXPECTED_BOOLEAN');
    case 'date':
      return isCalendarDate(v) ? null : text('R_EXPECTED_DATE');
    case 'datetime':
      return isDateTime(v) ? null : text('R_EXPECTED_DATETIME');
    case 'uuid':
      return typeof v === 'string' && UUID.test(v) ? null : text('R_EXPECTED_ID');
  }
}

function inRange(v: number, s: Storage | undefined): I18nText | null {
  if (s?.pg === 'integer') return v >= INT32.min && v <= INT32.max ? null : text('R_OUT_OF_RANGE', INT32);
  if (s?.pg !== 'numeric') return null;
  const limit = numericLimit(s);
  return Math.abs(v) < limit ? null : text('R_TOO_BIG', { limit });
}
