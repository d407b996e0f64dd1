import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Api } from '../api/client';
import { approvalsApi } from './api';

/** The inbox can be long: the badge counts one page and shows "99+" beyond. */
const COUNT_PAGE = 100;

/**
 * The shell's counters: requests waiting for me (the nav badge) and unread notifications (the
 * bell). Refreshed on navigation, every minute, and after each decision of mine.
 */
export const useApprovalCounts = defineStore('approval-counts', () => {
  const pending = ref(0);
  const unread = ref(0);
  let busy: Promise<void> | null = null;

  function refresh(api: Api): Promise<void> {
    if (busy) return busy;
    busy = Promise.all([
      approvalsApi.inbox(api, 'pending', { limit: COUNT_PAGE }).then((r) => {
        pending.value = r.data.length;
      }),
      approvalsApi.unread(api).then((r) => {
        unread.value = r.data.unread;
      }),
    ])
      .then(() => undefined)
      .catch(() => undefined)
      .finally(() => (busy = null));
    return busy;
  }

  function reset() {
    pending.value = 0;
    unread.value = 0;
  }

  return { pending, unread, refresh, reset };
});
