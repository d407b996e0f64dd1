import { defineStore } from 'pinia';
import { shallowReactive } from 'vue';
import type { Api } from '../api/client';
import { ApiProblem } from '../api/problem';
import { useModel } from '../stores/model';
import { stagesApi } from './api';
import type { BusinessTypeInfo, PipelineInfo, StagesInfo } from './types';

/**
 * Business types and pipelines per object (GET /stages/{object}), loaded once per metadata
 * version. An object without any answers 404 NO_PIPELINE: remembered as null (no path bar, no
 * kanban, no type choice).
 */
export const usePipelines = defineStore('pipelines', () => {
  const info = shallowReactive(new Map<string, StagesInfo | null>());
  const pending = new Map<string, Promise<StagesInfo | null>>();
  let version = -1;

  function load(api: Api, object: string, force = false): Promise<StagesInfo | null> {
    const v = useModel().version;
    if (v !== version) {
      info.clear();
      pending.clear();
      version = v;
    }
    if (!force && info.has(object)) return Promise.resolve(info.get(object) ?? null);
    // The visible model says which objects have stages: no request (and no 404) for the others.
    const visible = useModel().object(object);
    if (visible && !visible.stages) {
      info.set(object, null);
      return Promise.resolve(null);
    }
    const busy = pending.get(object);
    if (busy) return busy;
    const p = Promise.resolve()
      .then(() => stagesApi.describe(api, object))
      .then((r) => r.data)
      .catch((e) => {
        if (e instanceof ApiProblem && (e.status === 404 || e.status === 403)) return null;
        throw e;
      })
      .then((x) => {
        info.set(object, x);
        return x;
      })
      .finally(() => pending.delete(object));
    pending.set(object, p);
    return p;
  }

  /** What is known now (undefined: not loaded yet). */
  const of = (object: string) => info.get(object);

  function set(object: string, x: StagesInfo | null) {
    info.set(object, x);
  }

  return { info, load, of, set };
});

/** The pipeline a record of this type follows (without types: the object's one pipeline). */
export function pipelineFor(s: StagesInfo, type: string | null | undefined): PipelineInfo | null {
  if (!s.businessTypes.length) return s.pipelines[0] ?? null;
  // Only the types the caller may use are listed: a record of another type finds none here
  // (the checklist names its pipeline instead).
  const t = type ? s.businessTypes.find((x) => x.name === type) : defaultType(s);
  return s.pipelines.find((p) => p.name === t?.pipeline) ?? null;
}

export const defaultType = (s: StagesInfo): BusinessTypeInfo | undefined =>
  s.businessTypes.find((t) => t.default) ?? s.businessTypes[0];
