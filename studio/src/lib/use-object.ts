import { computed, type Ref } from 'vue';
import { useMeta } from '../stores/meta';

/** The object named by a route parameter, or undefined when the tenant has no such object. */
export function useObject(name: Ref<string>) {
  const meta = useMeta();
  return computed(() => meta.object(name.value));
}
