import type { Api } from '../../api/client';
import type { I18nText } from '../../api/types';

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

export const previewFlow = (api: Api, flow: string, recordId: string) =>
  api.call<FlowPreview>('POST', `/meta/approval-flows/${encodeURIComponent(flow)}/preview`, { recordId });
