import { computed, ref, shallowRef, watch, type Ref } from 'vue';
import type { Api } from '../api/client';
import { approvalsApi } from './api';
import type { ApprovalState } from './types';

/**
 * A record's approval state (GET …/approvals), reloaded with the record. A failure leaves it
 * null: the record page works without its approval panel.
 */
export function useApprovalState(api: Api, object: Ref<string>, id: Ref<string>) {
  const state = shallowRef<ApprovalState | null>(null);
  const loading = ref(false);
  let seq = 0;
  async function load() {
    const mine = ++seq;
    if (!id.value) return void (state.value = null); // a new record: nothing to ask
    loading.value = true;
    try {
      const r = await approvalsApi.state(api, object.value, id.value);
      if (mine === seq) state.value = r.data;
    } catch {
      if (mine === seq) state.value = null;
    } finally {
      if (mine === seq) loading.value = false;
    }
  }
  watch([object, id], load, { immediate: true });
  /** Fields the caller may not change now (the whole record: every field). */
  const locked = computed<{ all: boolean; fields: ReadonlySet<string> }>(() => {
    const l = state.value?.lock;
    if (!l || l.exempt) return { all: false, fields: new Set() };
    return { all: l.mode === 'record', fields: new Set(l.fields) };
  });
  return { state, loading, load, locked };
}
