import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Lang } from '../api/types';
import { initialLang, LANG_KEY } from '../i18n';

/** UI language (remembered) and the narrow-screen flag for phone layouts. */
export const useUi = defineStore('ui', () => {
  const lang = ref<Lang>(initialLang());
  const narrow = ref(
    typeof window !== 'undefined' && typeof window.matchMedia === 'function'
      ? window.matchMedia('(max-width: 720px)').matches
      : false,
  );
  if (typeof window !== 'undefined' && typeof window.matchMedia === 'function') {
    const mq = window.matchMedia('(max-width: 720px)');
    mq.addEventListener?.('change', (e) => (narrow.value = e.matches));
  }
  function setLang(l: Lang) {
    lang.value = l;
    try {
      localStorage.setItem(LANG_KEY, l);
    } catch {
      /* private mode */
    }
    if (typeof document !== 'undefined') document.documentElement.lang = l;
  }
  return { lang, narrow, setLang };
});
