import { useApi } from '../api';
import type { DeployResult, PackageDef } from '../api/types';
import { useDeploy } from '../editors/use-deploy';
import { storedComment, type CommentCode } from '../versions/comments';

/**
 * The plan → confirm → deploy of a whole package, for the setup screens whose changes are not
 * one object (roles, profiles, sharing, a new object with its access): `build()` is the package
 * as it would be after the change, asked for again for the plan and for the deploy.
 */
export function usePackageDeploy(
  build: () => PackageDef,
  comment?: { shown: () => string; code: CommentCode },
  after?: (r: DeployResult) => unknown,
) {
  const api = useApi();
  return useDeploy({
    // The default comment is stored language-neutral (versions/comments.ts).
    request: (o) =>
      api.deployPackage(build(), {
        ...o,
        comment: comment ? storedComment(o.comment, comment.shown(), comment.code) : o.comment,
      }),
    after,
  });
}
