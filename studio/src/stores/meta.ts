import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { Api } from '../api/client';
import type { ObjectDef, PackageDef } from '../api/types';
import { useModel } from './model';

/**
 * The tenant's deployed package (GET /meta, admins only): what the object manager edits and
 * deploys. End-user screens read the model the user may see instead (stores/model.ts); a load
 * here that finds a new version (a deploy) refreshes that one too, so navigation follows.
 */
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
      const model = useModel();
      if (model.loaded && model.version !== r.data.version)
        await model.load(api, true).catch(() => undefined);
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
