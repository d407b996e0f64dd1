import type { Api } from '../api/client';
import { versionOf } from '../api/client';
import { ApiProblem } from '../api/problem';
import type { I18nText, RecordData } from '../api/types';
import type { ChecklistStage } from './types';

export type MoveResult =
  | { ok: true; record: RecordData; version: number | undefined }
  /** 422 STAGE_GATE: the unmet items, per stage, as the engine listed them. */
  | { ok: false; kind: 'gate'; detail: string; stages: ChecklistStage[] }
  /** 412: someone changed the record since it was shown. */
  | { ok: false; kind: 'conflict'; detail: string }
  /** Any other refusal (a skip or a move back the pipeline forbids, a required field…). */
  | { ok: false; kind: 'refused'; detail: string; messages: string[] };

interface GateErrorDetail {
  stage?: string;
  item?: string;
  kind?: string;
  label?: I18nText;
}

/** The unmet items of a 422 STAGE_GATE, grouped by the stage whose gate holds them. */
export function refusedStages(p: ApiProblem, labelOf: (stage: string) => I18nText): ChecklistStage[] {
  const out = new Map<string, ChecklistStage>();
  for (const e of p.errors) {
    const d = (e.detail ?? {}) as GateErrorDetail;
    const stage = d.stage ?? '';
    if (!out.has(stage)) out.set(stage, { value: stage, label: labelOf(stage), items: [] });
    out.get(stage)!.items.push({
      name: d.item ?? e.code,
      kind: d.kind ?? '',
      label: d.label ?? { en: e.code, 'zh-CN': e.code },
      met: false,
      code: e.code,
      why: e.message,
      details: d as Record<string, unknown>,
    });
  }
  return [...out.values()];
}

/**
 * Moves a record to a stage with one PATCH of its stage field (If-Match its version): the same
 * write the API takes, so the engine's gate decides, and its answer is returned as it came.
 */
export async function moveStage(
  api: Api,
  object: string,
  id: string,
  field: string,
  to: string,
  version: number | undefined,
  labelOf: (stage: string) => I18nText,
): Promise<MoveResult> {
  try {
    const r = await api.update(object, id, { [field]: to }, version);
    return { ok: true, record: r.data, version: versionOf(r.etag) ?? (r.data.version as number) };
  } catch (e) {
    if (!(e instanceof ApiProblem)) throw e;
    if (e.status === 422 && e.code === 'STAGE_GATE')
      return { ok: false, kind: 'gate', detail: e.detail, stages: refusedStages(e, labelOf) };
    if (e.status === 412) return { ok: false, kind: 'conflict', detail: e.detail };
    return { ok: false, kind: 'refused', detail: e.detail, messages: e.errors.map((x) => x.message) };
  }
}
