import { computed, shallowRef } from 'vue';
import { ApiProblem } from '../../api/problem';
import type { DeployResult, Lang, PlanIssue } from '../../api/types';
import type { DeployRequest } from '../../editors/use-deploy';
import { issueMessage } from '../../lib/plan';

/** The value at a JSON pointer inside `root` (undefined when the path is not there). */
function valueAt(root: unknown, path: string): unknown {
  let v = root;
  for (const key of path.split('/').slice(1)) {
    if (!v || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}

/**
 * The deploy issues that point into the flow being edited, by their pointer inside it
 * ("/approvalFlows/3/steps/1/approvers/0/role" → "/steps/1/approvers/0/role"), so each input
 * can show its own. The plan dialog shows every issue as well. An issue goes away once the
 * value it points at is edited (or at the next plan).
 */
export function useFlowIssues(flowIndex: () => number, flow: () => unknown) {
  const issues = shallowRef<PlanIssue[]>([]);
  /** The flow as planned: what each issue's value was. */
  let planned: unknown = null;

  /** `request`, recording the issues its plan or deploy reports (a 200 plan or a problem). */
  function watching(request: DeployRequest): DeployRequest {
    return async (o) => {
      planned = JSON.parse(JSON.stringify(flow())) as unknown;
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
    const now = flow();
    const same = (at: string) =>
      JSON.stringify(valueAt(now, at) ?? null) === JSON.stringify(valueAt(planned, at) ?? null);
    return issues.value
      .filter((i) => i.pointer === prefix || i.pointer.startsWith(`${prefix}/`))
      .map((i) => ({ ...i, at: i.pointer.slice(prefix.length) }))
      .filter((i) => same(i.at));
  });

  /** The messages for the input at `at` (and anything below it, when `below`). */
  function at(path: string, lang: Lang, below = false): string {
    return local.value
      .filter((i) => i.at === path || (below && i.at.startsWith(`${path}/`)))
      .map((i) => issueMessage(i, lang))
      .join(' ');
  }
  const clear = () => (issues.value = []);
  /** Issues found elsewhere (a tried draft's, pointers under `/flow`), shown the same way. */
  function show(list: PlanIssue[]) {
    planned = JSON.parse(JSON.stringify(flow())) as unknown;
    const prefix = `/approvalFlows/${flowIndex()}`;
    issues.value = list.map((i) => ({
      ...i,
      pointer:
        i.pointer === '/flow' || i.pointer.startsWith('/flow/') ? prefix + i.pointer.slice(5) : i.pointer,
    }));
  }
  return { issues, local, watching, at, clear, show };
}
