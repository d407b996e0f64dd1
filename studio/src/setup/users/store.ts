import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { Api } from '../../api/client';
import type { NewUser, UserPatch, UserRow } from '../../api/types';
import { useUserNames } from '../../stores/users';

/** The tenant's users as administrators manage them (GET/POST/PATCH /users). */
export const useSetupUsers = defineStore('setupUsers', () => {
  const rows = shallowRef<UserRow[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  const error = shallowRef<unknown>(null);
  const byId = computed(() => new Map(rows.value.map((u) => [u.id, u])));

  async function load(api: Api, force = false) {
    if (loaded.value && !force) return;
    loading.value = true;
    try {
      rows.value = (await api.users()).data;
      loaded.value = true;
      error.value = null;
    } catch (e) {
      error.value = e;
    } finally {
      loading.value = false;
    }
  }

  function put(u: UserRow) {
    const i = rows.value.findIndex((x) => x.id === u.id);
    const next = [...rows.value];
    if (i >= 0) next[i] = u;
    else next.push(u);
    rows.value = next.sort((a, b) => a.username.localeCompare(b.username));
    // Names shown elsewhere (owners, the user menu) follow a renamed user at once.
    useUserNames().remember([{ id: u.id, name: u.display_name || u.username }]);
  }

  async function create(api: Api, u: NewUser) {
    const r = await api.createUser(u);
    put(r.data);
    return r.data;
  }

  async function update(api: Api, id: string, patch: UserPatch) {
    const r = await api.updateUser(id, patch);
    put(r.data);
    return r.data;
  }

  /** How many users have this role / profile (a role in use cannot simply go). */
  const countWith = (key: 'role' | 'profile', name: string) =>
    rows.value.filter((u) => u[key] === name).length;
  const nameOf = (id: string | null | undefined) => {
    const u = id ? byId.value.get(id) : undefined;
    return u ? u.display_name || u.username : '';
  };

  return { rows, loaded, loading, error, byId, load, create, update, countWith, nameOf };
});
