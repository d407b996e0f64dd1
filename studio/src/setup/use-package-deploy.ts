import { useApi } from '../api';
import type { DeployResult, PackageDef } from '../api/types';
import { useDeploy } from '../editors/use-deploy';

/**
 * The plan → confirm → deploy of a whole package, for the setup screens whose changes are not
 * one object (roles, profiles, sharing, a new object with its access): `build()` is the package
 * as it would be after the change, asked for again for the plan and for the deploy.
 */
export function usePackageDeploy(build: () => PackageDef, after?: (r: DeployResult) => unknown) {
  const api = useApi();
  return useDeploy({
    request: (o) => api.deployPackage(build(), o),
    after,
  });
}
