import type { I18nText, Lang } from '../api/types';

/** A metadata label in the UI language, falling back to the other language, then to a name. */
export function tr(text: Partial<I18nText> | undefined | null, lang: Lang, fallback = ''): string {
  if (!text) return fallback;
  return text[lang] || text.en || text['zh-CN'] || fallback;
}
