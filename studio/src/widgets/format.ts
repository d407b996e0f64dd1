import type { FieldDef, Lang, ObjectDef } from '../api/types';
import { tr } from '../lib/labels';
import { recordName } from '../lib/objects';
import en from '../i18n/en.json';
import zh from '../i18n/zh-CN.json';

const locale = (lang: Lang) => (lang === 'zh-CN' ? 'zh-CN' : 'en-US');
const YES = { en: 'Yes', 'zh-CN': '是' };
const NO = { en: 'No', 'zh-CN': '否' };
/** A related record the user may not read: a lock and these words, never its raw id. */
export const NO_ACCESS = { en: `🔒 ${en.admin.lookup.noAccess}`, 'zh-CN': `🔒 ${zh.admin.lookup.noAccess}` };

export interface FormatContext {
  lang: Lang;
  /** Target object of a lookup, to name an expanded related record. */
  objectOf?: (name: string) => ObjectDef | undefined;
  /**
   * Lookups were expanded where the user may read the target (lists, record pages): one still a
   * bare id is a record they may not read, shown as NO_ACCESS. Without it (history) ids stay.
   */
  expanded?: boolean;
}

function optionLabel(f: FieldDef, value: string, lang: Lang) {
  const o = f.options?.find((x) => x.value === value);
  return o ? tr(o.label, lang, value) : value;
}

/** How a value reads in lists, cards and the record page, per field type and language. */
export function formatValue(f: FieldDef, v: unknown, ctx: FormatContext): string {
  if (v === null || v === undefined || v === '') return '';
  const { lang } = ctx;
  switch (f.type) {
    case 'picklist':
      return optionLabel(f, String(v), lang);
    case 'multi_picklist':
      return (Array.isArray(v) ? v : [v]).map((x) => optionLabel(f, String(x), lang)).join(', ');
    case 'boolean':
      return tr(v ? YES : NO, lang);
    case 'currency': {
      const n = Number(v);
      try {
        return new Intl.NumberFormat(locale(lang), {
          style: 'currency',
          currency: f.currencyCode ?? 'CNY',
          minimumFractionDigits: f.scale ?? 2,
          maximumFractionDigits: f.scale ?? 2,
        }).format(n);
      } catch {
        return `${f.currencyCode ?? ''} ${n.toFixed(f.scale ?? 2)}`.trim();
      }
    }
    case 'percent':
      return `${new Intl.NumberFormat(locale(lang), { maximumFractionDigits: f.scale ?? 2 }).format(Number(v))} %`;
    case 'number':
      return new Intl.NumberFormat(locale(lang), { maximumFractionDigits: f.scale ?? 2 }).format(Number(v));
    case 'integer':
    case 'rollup':
      return new Intl.NumberFormat(locale(lang), { maximumFractionDigits: 4 }).format(Number(v));
    case 'date': {
      // A calendar day, in the reader's language like date-times ("Dec 31, 2026", "2026年12月31日").
      const d = new Date(`${String(v).slice(0, 10)}T00:00:00Z`);
      if (Number.isNaN(d.getTime())) return String(v);
      return new Intl.DateTimeFormat(locale(lang), { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
    }
    case 'datetime': {
      const d = new Date(String(v));
      if (Number.isNaN(d.getTime())) return String(v);
      return new Intl.DateTimeFormat(locale(lang), { dateStyle: 'medium', timeStyle: 'short' }).format(d);
    }
    case 'user':
      // Expanded ({id, name}) or a bare id: the users store names bare ids where it is at hand.
      return v && typeof v === 'object' ? String((v as { name?: unknown }).name ?? '') : String(v);
    case 'lookup':
    case 'master_detail':
      if (v && typeof v === 'object')
        return recordName(f.target ? ctx.objectOf?.(f.target) : undefined, v as Record<string, unknown>);
      return ctx.expanded ? NO_ACCESS[lang] : String(v);
    default:
      return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}

/** The id behind a lookup value, expanded or not. */
export const lookupId = (v: unknown): string | null =>
  v && typeof v === 'object'
    ? (((v as Record<string, unknown>).id as string) ?? null)
    : typeof v === 'string' && v
      ? v
      : null;
