import type { FieldDef, ObjectDef } from '../api/types';
import { isRelationField, nameFieldOf } from '../lib/objects';
import { orderedFieldNames } from '../lib/layout';

/**
 * A card's key fields: the layout's compact card; without one, in layout order, the first related record (the account), the first
 * amount and the first date (the close date) — what a rep scans a board for. At most three.
 */
export function cardFields(o: ObjectDef, stageField: string | null): FieldDef[] {
  const name = nameFieldOf(o)?.name;
  const byName = new Map(o.fields.map((f) => [f.name, f]));
  // The layout's compact card, when it has one (the column already says the stage).
  const compact = (o.layout as { compact?: { fields?: unknown } } | undefined)?.compact?.fields;
  if (Array.isArray(compact) && compact.length)
    return compact
      .map((n) => (typeof n === 'string' ? byName.get(n) : undefined))
      .filter((f): f is FieldDef => !!f && f.name !== name && f.name !== stageField)
      .slice(0, 4);
  const ordered = orderedFieldNames(o)
    .map((n) => byName.get(n)!)
    .filter((f) => f && f.name !== name && f.name !== stageField);
  const picks = [
    ordered.find(isRelationField),
    ordered.find((f) => f.type === 'currency') ?? ordered.find((f) => f.type === 'number'),
    ordered.find((f) => f.type === 'date') ?? ordered.find((f) => f.type === 'datetime'),
  ];
  return picks.filter((f): f is FieldDef => !!f);
}

/** The field a column sums: the object's first currency field (the deal amount), if any. */
export const sumFieldOf = (o: ObjectDef): FieldDef | undefined => o.fields.find((f) => f.type === 'currency');

/** Conditions AND-ed, undefined ones left out. */
export function and(...parts: (Record<string, unknown> | undefined)[]): Record<string, unknown> | undefined {
  const xs = parts.filter((x): x is Record<string, unknown> => !!x && Object.keys(x).length > 0);
  if (!xs.length) return undefined;
  return xs.length === 1 ? xs[0] : { and: xs };
}
