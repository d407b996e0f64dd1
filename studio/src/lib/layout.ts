import type { FieldDef, I18nText, ObjectDef } from '../api/types';

export interface LayoutSection {
  label: I18nText;
  columns: number;
  fields: string[];
}

export interface ResolvedSection {
  label: I18nText;
  columns: number;
  fields: FieldDef[];
}

/** The object's layout sections as authored (unknown fields dropped), or none. */
export function layoutSections(o: ObjectDef): LayoutSection[] {
  const raw = (o.layout as { sections?: unknown } | undefined)?.sections;
  if (!Array.isArray(raw)) return [];
  const known = new Set(o.fields.map((f) => f.name));
  return raw
    .filter((s): s is Record<string, unknown> => !!s && typeof s === 'object')
    .map((s) => ({
      label: (s.label as I18nText) ?? { en: '', 'zh-CN': '' },
      columns: s.columns === 1 ? 1 : 2,
      fields: Array.isArray(s.fields)
        ? (s.fields as unknown[]).filter((n): n is string => typeof n === 'string' && known.has(n))
        : [],
    }));
}

/**
 * Sections of the record form: the layout's sections, then every field the layout forgot, so
 * a field added without touching the layout still shows up.
 */
export function resolveSections(o: ObjectDef, other: I18nText): ResolvedSection[] {
  const byName = new Map(o.fields.map((f) => [f.name, f]));
  const sections = layoutSections(o).map((s) => ({
    label: s.label,
    columns: s.columns,
    fields: s.fields.map((n) => byName.get(n)!),
  }));
  const placed = new Set(sections.flatMap((s) => s.fields.map((f) => f.name)));
  const rest = o.fields.filter((f) => !placed.has(f.name));
  if (rest.length)
    sections.push({ label: sections.length ? other : { en: '', 'zh-CN': '' }, columns: 2, fields: rest });
  return sections.filter((s) => s.fields.length);
}

/** Field names in form order: for default list columns and the mobile card. */
export function orderedFieldNames(o: ObjectDef): string[] {
  return resolveSections(o, { en: '', 'zh-CN': '' }).flatMap((s) => s.fields.map((f) => f.name));
}
