import type { Api } from '../api/client';
import type { BusinessTypeDef, PipelineDef } from '../../../engine/src/core/model';
import type { Checklist, StageStay, StagesInfo } from './types';

const enc = encodeURIComponent;

/** The stages API (docs/api.md "Stages"), over the client's one `call`. */
export const stagesApi = {
  describe: (api: Api, object: string) => api.call<StagesInfo>('GET', `/stages/${enc(object)}`),
  checklist: (api: Api, object: string, id: string, to?: string) =>
    api.call<Checklist>('GET', `/data/${enc(object)}/${enc(id)}/gates${to ? `?to=${enc(to)}` : ''}`),
  history: (api: Api, object: string, id: string) =>
    api.call<StageStay[]>('GET', `/data/${enc(object)}/${enc(id)}/stage-history`),
  aggregate: (
    api: Api,
    object: string,
    body: { groupBy: string[]; metrics: { fn: string; field?: string }[]; filter?: unknown; search?: string },
  ) => api.call<Record<string, unknown>[]>('POST', `/data/${enc(object)}/aggregate`, body),
  /** The checklist under an undeployed draft of the object's types and pipelines (admins). */
  tryDraft: (
    api: Api,
    object: string,
    body: { pipelines: PipelineDef[]; businessTypes?: BusinessTypeDef[]; recordId: string; to?: string },
  ) => api.call<Checklist>('POST', `/stages/${enc(object)}/try`, body),
};
