import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { Api } from '../api/client';
import type { VisibleModel, VisibleObject } from '../api/types';

/**
 * The model as the signed-in user may see it (GET /meta/objects): the objects their profile
 * reads, only the fields they may read, and what they may do. Every end-user screen is built
 * from it, for admins too; the object manager works on the whole package (stores/meta.ts).
 */
export const useModel = defineStore('model', () => {
  const objects = shallowRef<VisibleObject[]>([]);
  const version = ref(0);
  const loaded = ref(false);
  const loading = ref(false);
  const error = shallowRef<unknown>(null);
  /** Whose model this is: another user signing in starts afresh. */
  const userId = ref<string | null>(null);
  const byName = computed(() => new Map(objects.value.map((o) => [o.name, o])));
  let etag: string | null = null;
  let busy: Promise<void> | null = null;

  /** Loads once; `force` asks again, and an unchanged model costs a 304. */
  function load(api: Api, force = false): Promise<void> {
    if (loaded.value && !force) return Promise.resolve();
    if (busy) return busy;
    loading.value = true;
    busy = (async () => {
      try {
        const r = await api.visibleModel(loaded.value ? etag : null);
        if (r.status !== 304) set(r.data, r.etag);
        error.value = null;
      } catch (e) {
        error.value = e;
        throw e;
      } finally {
        loading.value = false;
        busy = null;
      }
    })();
    return busy;
  }

  function set(m: VisibleModel, tag: string | null = null) {
    objects.value = m.objects;
    version.value = m.version;
    etag = tag;
    loaded.value = true;
  }

  function object(name: string): VisibleObject | undefined {
    return byName.value.get(name);
  }

  function reset() {
    objects.value = [];
    version.value = 0;
    loaded.value = false;
    error.value = null;
    etag = null;
  }

  return { objects, version, loaded, loading, error, userId, byName, load, set, object, reset };
});
