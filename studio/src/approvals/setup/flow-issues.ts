import { computed, shallowRef } from 'vue';
import { ApiProblem } from '../../api/problem';
import type { DeployResult, Lang, PlanIssue } from '../../api/types';
import type { DeployRequest } from '../../editors/use-deploy';
import { issueMessage } from '../../lib/plan';

/**
 * The deploy issues that point into the flow being edited, by their pointer inside it
 * ("/approvalFlows/3/steps/1/approvers/0/role" → "/steps/1/approvers/0/role"), so each input
 * can show its own. The plan dialog shows every issue as well; these stay until the next plan.
 */
export function useFlowIssues(flowIndex: () => number) {
  const issues = shallowRef<PlanIssue[]>([]);

  /** `request`, recording the issues its plan or deploy reports (a 200 plan or a problem). */
  function watching(request: DeployRequest): DeployRequest {
    return async (o) => {
      try {
        const r = await request(o);
        issues.value = (r.data as DeployResult).issues ?? [];
        return r;
      } catch (e) {
        if (e instanceof ApiProblem) issues.value = e.errors.map((x) => ({ ...x }));
        throw e;
      }
    };
  }

  const local = computed(() => {
    const prefix = `/approvalFlows/${flowIndex()}`;
    return issues.value
      .filter((i) => i.pointer === prefix || i.pointer.startsWith(`${prefix}/`))
      .map((i) => ({ ...i, at: i.pointer.slice(prefix.length) }));
  });

  /** The messages for the input at `at` (and anything below it, when `below`). */
  function at(path: string, lang: Lang, below = false): string {
    return local.value
      .filter((i) => i.at === path || (below && i.at.startsWith(`${path}/`)))
      .map((i) => issueMessage(i, lang))
      .join(' ');
  }
  const clear = () => (issues.value = []);
  return { issues, local, watching, at, clear };
}
