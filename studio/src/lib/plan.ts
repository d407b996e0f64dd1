import { formatMessage } from '../../../engine/src/core/messages';
import { FIELD_TYPES } from '../../../engine/src/fields/registry';
import type { Lang, ObjectDef, PackageDef, PlanChange, PlanIssue } from '../api/types';
import { tr } from './labels';

type T = (key: string, params?: Record<string, unknown>) => string;

/** An issue's message in the UI language: the server's own, else rendered from the engine's catalogue. */
export const issueMessage = (i: PlanIssue, lang: Lang) =>
  i.message ?? formatMessage(i.code, lang, i.params ?? {});

const storageText = (s: unknown) => {
  if (!s || typeof s !== 'object') return String(s ?? '');
  const x = s as { pg?: string; precision?: number; scale?: number };
  return x.pg === 'numeric' && x.precision ? `numeric(${x.precision},${x.scale ?? 0})` : String(x.pg ?? '');
};

/** One plan step in words, naming objects and fields by their labels in the UI language. */
export function describeChange(c: PlanChange, t: T, lang: Lang, pkg: PackageDef | null): string {
  const obj = pkg?.objects.find((o) => o.name === c.object);
  const objLabel = obj ? tr(obj.label, lang, obj.name) : (c.object ?? '');
  const field = obj?.fields.find((f) => f.name === c.field);
  const fieldLabel = field ? tr(field.label, lang, field.name) : (c.field ?? '');
  const p: Record<string, unknown> = { ...c, object: objLabel, field: fieldLabel };
  switch (c.kind) {
    case 'createTable':
      p.n = Array.isArray(c.columns) ? c.columns.length : 0;
      break;
    case 'addColumn':
      p.type = field
        ? tr(FIELD_TYPES[field.type]?.label, lang, field.type)
        : storageText((c.column as { storage?: unknown })?.storage);
      break;
    case 'alterType':
      p.to = storageText(c.to);
      break;
    case 'picklistChange': {
      const parts = [];
      if ((c.added as string[])?.length) parts.push(`+ ${(c.added as string[]).join(', ')}`);
      if ((c.removed as string[])?.length) parts.push(`− ${(c.removed as string[]).join(', ')}`);
      if ((c.deactivated as string[])?.length) parts.push(`⏸ ${(c.deactivated as string[]).join(', ')}`);
      p.summary = parts.join('; ');
      break;
    }
    case 'addIndex':
      p.unique = c.unique ? t('plan.kind.unique') : '';
      p.columns = Array.isArray(c.columns) ? c.columns.join(', ') : '';
      break;
    case 'refused':
      p.message = formatMessage(String(c.code), lang, (c.params as Record<string, unknown>) ?? {});
      break;
  }
  const key = `plan.kind.${c.kind}`;
  const text = t(key, p);
  return text === key ? c.kind : text;
}

/**
 * Where a package pointer lands in the object being edited: "/objects/3/fields/2/maxLength"
 * → { field: draft.fields[2].name, rest: "maxLength" } when object 3 is the one edited.
 */
export function locateIssue(
  pointer: string,
  objectIndex: number,
  draft: ObjectDef,
): { field?: string; setting?: string } {
  const parts = pointer.split('/').slice(1);
  if (parts[0] !== 'objects' || Number(parts[1]) !== objectIndex) return {};
  if (parts[2] === 'fields' && parts[3] !== undefined)
    return { field: draft.fields[Number(parts[3])]?.name, setting: parts[4] };
  return { setting: parts[2] };
}
