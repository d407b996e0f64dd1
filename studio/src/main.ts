import { createApp } from 'vue';
import { createPinia } from 'pinia';
import ElementPlus from 'element-plus';
import 'element-plus/dist/index.css';
import App from './App.vue';
import { API_KEY } from './api';
import { createClient } from './api/client';
import { makeI18n } from './i18n';
import { makeRouter } from './router';
import { useSession } from './stores/session';
import { useUi } from './stores/ui';
import './styles.css';

/*
 * Component library: Element Plus (see studio/README.md). It is the most used Vue 3 admin kit,
 * has zh-CN and en through one ConfigProvider, and its Table, Form, Select and DatePicker cover
 * the generated screens without wrappers. Registered globally so every screen and widget can use it.
 */
const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
const ui = useUi(pinia);
const session = useSession(pinia);
const api = createClient({
  token: () => session.token,
  lang: () => ui.lang,
  onUnauthorized: () => {
    session.expire();
    if (router.currentRoute.value.name !== 'login')
      void router.replace({ name: 'login', query: { redirect: router.currentRoute.value.fullPath } });
  },
});
const router = makeRouter(api);
document.documentElement.lang = ui.lang;
app.provide(API_KEY, api);
app.use(makeI18n(ui.lang));
app.use(ElementPlus);
app.use(router);
app.mount('#app');
