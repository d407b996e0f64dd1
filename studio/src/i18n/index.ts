import { createI18n } from 'vue-i18n';
import en from './en.json';
import zhCN from './zh-CN.json';
import type { Lang } from '../api/types';

export const LANG_KEY = 'tessera.lang';

/** Remembered choice, else the browser's language, else English. */
export function initialLang(): Lang {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(LANG_KEY) : null;
  if (saved === 'en' || saved === 'zh-CN') return saved;
  const nav = typeof navigator !== 'undefined' ? navigator.language : 'en';
  return /^zh/i.test(nav) ? 'zh-CN' : 'en';
}

export function makeI18n(locale: Lang = initialLang()) {
  return createI18n({
    legacy: false,
    locale,
    fallbackLocale: 'en',
    // Keys hold {placeholders}; no HTML in messages.
    messages: { en, 'zh-CN': zhCN },
    missingWarn: false,
    fallbackWarn: false,
  });
}

export type AppI18n = ReturnType<typeof makeI18n>;
