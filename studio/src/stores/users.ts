import { defineStore } from 'pinia';
import { shallowReactive } from 'vue';
import type { Api } from '../api/client';
import type { UserName } from '../api/types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The engine's limit of ids per lookup. */
const MAX_IDS = 200;

/**
 * Users' names for owner and other user fields (GET /users/lookup), cached for the session.
 * Ids wanted in the same tick (a list page, a record page) go out as one request.
 */
export const useUserNames = defineStore('userNames', () => {
  /** id → name; null: no such user. */
  const names = shallowReactive(new Map<string, string | null>());
  const queued = new Set<string>();
  const asked = new Set<string>();
  let scheduled = false;

  /** Asks for the names of these ids (unknown, not yet asked), batched with the rest of this tick. */
  function want(api: Api, ids: Iterable<unknown>) {
    for (const id of ids)
      if (typeof id === 'string' && UUID.test(id) && !names.has(id) && !asked.has(id)) queued.add(id);
    if (!queued.size || scheduled) return;
    scheduled = true;
    queueMicrotask(() => void flush(api));
  }

  async function flush(api: Api) {
    scheduled = false;
    const ids = [...queued];
    queued.clear();
    for (let i = 0; i < ids.length; i += MAX_IDS) {
      const chunk = ids.slice(i, i + MAX_IDS);
      chunk.forEach((id) => asked.add(id));
      try {
        const r = await api.userNames({ ids: chunk });
        remember(r.data);
        for (const id of chunk) if (!names.has(id)) names.set(id, null);
      } catch {
        // Ask again next time: a network failure is no proof the user does not exist.
      } finally {
        chunk.forEach((id) => asked.delete(id));
      }
    }
  }

  function remember(users: UserName[]) {
    for (const u of users) names.set(u.id, u.name);
  }

  /** Active users whose name (or a word of it), user name or email starts with `q`. */
  async function search(api: Api, q: string): Promise<UserName[]> {
    const r = await api.userNames({ q });
    remember(r.data);
    return r.data;
  }

  /** The name to show: the user's name, the id when there is no such user, '' while it loads. */
  function display(id: unknown): string {
    if (typeof id !== 'string' || !id) return '';
    const n = names.get(id);
    return n ?? (n === null ? id : '');
  }

  function reset() {
    names.clear();
    queued.clear();
  }

  return { names, want, search, display, remember, reset };
});
