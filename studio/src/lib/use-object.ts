import { computed, type Ref } from 'vue';
import { useModel } from '../stores/model';

/** The object named by a route parameter, as the user may see it; undefined when they may not (or it does not exist). */
export function useObject(name: Ref<string>) {
  const model = useModel();
  return computed(() => model.object(name.value));
}
