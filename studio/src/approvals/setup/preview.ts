import type { Api } from '../../api/client';
import type { I18nText } from '../../api/types';
import type { ApprovalFlowDef } from '../../../../engine/src/core/approval-model';

/** POST /meta/approval-flows/{name}/preview: the route a record would take (engine preview.ts). */
export interface FlowPreview {
  flow: { name: string; label: I18nText; object: string };
  recordId: string;
  applies: boolean;
  why: I18nText | null;
  /** The flow a plain submit would pick for the record (the lowest priority that applies). */
  chosenFlow: string | null;
  steps: PreviewStep[];
}
export interface PreviewPerson {
  id: string;
  name: string | null;
}
export interface PreviewStep {
  index: number;
  name: string;
  label: I18nText;
  mode: 'any' | 'all' | 'first';
  skipped: boolean;
  why: I18nText | null;
  approvers: PreviewPerson[];
  sources: { describe: I18nText; users: PreviewPerson[] }[];
  submitterExcluded: boolean;
  noApprovers: boolean;
}

/** The route under `draft` (the editor's flow, deployed or not): nothing is stored. */
export const previewFlow = (api: Api, draft: ApprovalFlowDef, recordId: string) =>
  api.call<FlowPreview>('POST', `/meta/approval-flows/${encodeURIComponent(draft.name)}/preview`, {
    recordId,
    flow: draft,
  });
