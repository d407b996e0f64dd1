import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Api } from '../api/client';
import type { Me } from '../api/types';

const KEY = 'tessera.session';

interface Saved {
  tenant: string;
  token: string;
  /** 'password' sessions expire and are revoked at sign-out; API tokens are only forgotten. */
  kind: 'password' | 'token';
}

function load(): Saved | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Saved) : null;
  } catch {
    return null;
  }
}

/**
 * Who is signed in. Two ways in, one shape out (a bearer token): tenant + API token (checked with
 * GET /me), or tenant + user + password (POST /auth/login). A future SSO login only adds a method.
 */
export const useSession = defineStore('session', () => {
  const saved = ref<Saved | null>(load());
  const me = ref<Me | null>(null);
  const token = computed(() => saved.value?.token ?? null);
  const isAdmin = computed(() => !!me.value?.isAdmin);

  function persist(s: Saved | null) {
    saved.value = s;
    if (s) localStorage.setItem(KEY, JSON.stringify(s));
    else localStorage.removeItem(KEY);
  }

  async function signInWithToken(api: Api, tenant: string, tok: string) {
    const r = await api.me(tok);
    if (tenant && r.data.tenant.slug !== tenant) throw new TenantMismatch(r.data.tenant.slug);
    me.value = r.data;
    persist({ tenant: r.data.tenant.slug, token: tok, kind: 'token' });
  }

  async function signInWithPassword(api: Api, tenant: string, username: string, password: string) {
    const r = await api.login(tenant, username, password);
    persist({ tenant, token: r.data.access_token, kind: 'password' });
    me.value = (await api.me()).data;
  }

  /** Restores `me` for a remembered token; false when there is none or it no longer works. */
  async function restore(api: Api): Promise<boolean> {
    if (!saved.value) return false;
    if (me.value) return true;
    try {
      me.value = (await api.me()).data;
      return true;
    } catch (e) {
      if ((e as { status?: number }).status === 401) persist(null);
      throw e;
    }
  }

  async function signOut(api: Api) {
    if (saved.value?.kind === 'password') await api.logout().catch(() => undefined);
    me.value = null;
    persist(null);
  }

  /** The server said 401: forget the token. */
  function expire() {
    me.value = null;
    persist(null);
  }

  return { saved, me, token, isAdmin, signInWithToken, signInWithPassword, restore, signOut, expire };
});

export class TenantMismatch extends Error {
  constructor(readonly actual: string) {
    super(`token belongs to ${actual}`);
  }
}
