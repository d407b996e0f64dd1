import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { Api } from '../api/client';
import type { ObjectDef, PackageDef } from '../api/types';

/** The tenant's deployed metadata: the one source every generated screen is built from. */
export const useMeta = defineStore('meta', () => {
  const pkg = shallowRef<PackageDef | null>(null);
  const version = ref(0);
  const loading = ref(false);
  const error = shallowRef<unknown>(null);
  const objects = computed(() => pkg.value?.objects ?? []);
  const byName = computed(() => new Map(objects.value.map((o) => [o.name, o])));

  async function load(api: Api, force = false) {
    if (pkg.value && !force) return;
    loading.value = true;
    try {
      const r = await api.meta();
      pkg.value = r.data.package;
      version.value = r.data.version;
      error.value = null;
    } catch (e) {
      error.value = e;
      throw e;
    } finally {
      loading.value = false;
    }
  }

  function object(name: string): ObjectDef | undefined {
    return byName.value.get(name);
  }

  function reset() {
    pkg.value = null;
    version.value = 0;
  }

  return { pkg, version, loading, error, objects, byName, load, object, reset };
});
