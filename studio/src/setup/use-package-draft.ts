import { computed, shallowRef, watch } from 'vue';
import { onBeforeRouteLeave } from 'vue-router';
import { useI18n } from 'vue-i18n';
import { ElMessageBox } from 'element-plus';
import type { PackageDef } from '../api/types';
import { useMeta } from '../stores/meta';
import { usePackageDeploy } from './use-package-deploy';

/**
 * A draft of the whole deployed package for a setup screen (roles, profiles, sharing): edits stay
 * in it until "Review & deploy" plans and deploys it; a deploy (here or elsewhere) starts it
 * afresh; leaving with unsaved edits asks first.
 */
export function usePackageDraft(area: 'roles' | 'profiles' | 'sharing') {
  const meta = useMeta();
  const { t } = useI18n();
  const copy = (): PackageDef => structuredClone(meta.pkg ?? { objects: [] });
  // Replaced whole on every edit (never changed in place): no deep proxies to clone or compare.
  const draft = shallowRef<PackageDef>(copy());
  const reset = () => (draft.value = copy());
  watch(() => meta.pkg, reset);
  const original = computed(() => JSON.stringify(meta.pkg ?? { objects: [] }));
  const dirty = computed(() => JSON.stringify(draft.value) !== original.value);
  /** What the plan dialog proposes as the comment; kept as is, it is stored as `@<area>`. */
  const defaultComment = computed(() => t(`admin.${area}.comment`));
  const deploy = usePackageDeploy(() => draft.value, { shown: () => defaultComment.value, code: `@${area}` });

  onBeforeRouteLeave(async () => {
    if (!dirty.value || deploy.planOpen.value || deploy.finishing.value) return true;
    try {
      await ElMessageBox.confirm(t('setup.unsaved'), t('setup.discard'), {
        type: 'warning',
        confirmButtonText: t('setup.discard'),
        cancelButtonText: t('common.cancel'),
      });
      return true;
    } catch {
      return false;
    }
  });

  return { meta, draft, dirty, reset, deploy, defaultComment };
}
