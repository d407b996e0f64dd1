import { ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { ElMessage } from 'element-plus';
import { useApi } from '../api';
import type { DeployResult } from '../api/types';
import { useMeta } from '../stores/meta';
import type { RunOptions } from './PlanDialog.vue';

/**
 * One metadata request, planned first (`dryRun: true`) and then deployed with the same options.
 * `expected` is the metadata version the review started from, so a deploy made meanwhile by
 * someone else is refused (412) rather than overwritten.
 */
export type DeployRequest = (o: RunOptions & { expected: number }) => Promise<{ data: DeployResult }>;

export interface UseDeployOptions {
  /** The request the plan dialog plans and deploys. */
  request: DeployRequest;
  /** After a deploy, once the metadata is reloaded and the admin told: navigate, reset a draft… */
  after?: (result: DeployResult) => unknown;
}

/**
 * The plan → PlanDialog → confirm → deploy wiring every metadata editor shares. Bind the result
 * to the dialog: `<PlanDialog v-model="planOpen" :run="run" @deployed="deployed" />`, and call
 * `review()` to open it. `finishing` is true from the deploy until `after` is done (a route
 * guard that asks about unsaved edits should let that navigation through).
 */
export function useDeploy(options: UseDeployOptions) {
  const api = useApi();
  const meta = useMeta();
  const { t } = useI18n();
  const planOpen = ref(false);
  const finishing = ref(false);
  let expected = 0;

  function review() {
    expected = meta.version;
    planOpen.value = true;
  }

  const run = (o: RunOptions): Promise<DeployResult> =>
    options.request({ ...o, expected }).then((r) => r.data);

  async function deployed(result: DeployResult) {
    finishing.value = true;
    try {
      await meta.load(api, true);
      ElMessage.success(
        result.applied ? t('setup.deployed', { version: result.version }) : t('setup.nothingToDeploy'),
      );
      await options.after?.(result);
    } finally {
      finishing.value = false;
    }
  }

  return { planOpen, finishing, review, run, deployed };
}

/** What `useDeploy` returns: hand it to `SetupEditorPage` (or bind it to a `PlanDialog`). */
export type Deploy = ReturnType<typeof useDeploy>;
