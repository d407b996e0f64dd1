import type { CompiledPipeline, CompiledStage } from './compiled.js';

/** What a move from one stage to another asks: refused outright, or the gates to check. */
export type MovePlan =
  | { ok: true; stages: CompiledStage[] }
  | { ok: false; code: 'STAGE_SKIP_NOT_ALLOWED' | 'STAGE_BACK_NOT_ALLOWED'; skipped: CompiledStage[] };

/**
 * The gates a move runs. `from` null means the record enters the pipeline (created, or its
 * business type changed): it is born in the first stage (no gate) and moves on from there, so
 * entering at a later stage runs the gates up to it, with the pipeline's rule on skipping.
 * - to a lost stage: its own gate only, from anywhere;
 * - out of a lost stage (reopening): a move back; the target's gate;
 * - forward: the target's gate and every skipped stage's, when skipping is allowed;
 * - back: allowed or not by the pipeline; no gate (the stage was entered before).
 */
export function planMove(p: CompiledPipeline, from: string | null, to: CompiledStage): MovePlan {
  if (to.category === 'lost') return { ok: true, stages: [to] };
  const start = (from === null ? null : p.byValue.get(from)) ?? p.stages[0];
  if (start.value === to.value) return { ok: true, stages: [] };
  if (start.category === 'lost')
    return p.allowBack
      ? { ok: true, stages: [to] }
      : { ok: false, code: 'STAGE_BACK_NOT_ALLOWED', skipped: [] };
  if (to.index < start.index)
    return p.allowBack
      ? { ok: true, stages: [] }
      : { ok: false, code: 'STAGE_BACK_NOT_ALLOWED', skipped: [] };
  const skipped = p.stages.filter(
    (s) => s.index > start.index && s.index < to.index && s.category !== 'lost',
  );
  if (skipped.length && !p.allowSkip) return { ok: false, code: 'STAGE_SKIP_NOT_ALLOWED', skipped };
  return { ok: true, stages: [...skipped, to] };
}

/** The stage after `from` a record would move to next (the path bar's next step), or null. */
export function nextStage(p: CompiledPipeline, from: string | null): CompiledStage | null {
  const start = from === null ? null : p.byValue.get(from);
  if (!start) return p.stages[0] ?? null;
  if (start.category !== 'open') return null;
  return p.stages.find((s) => s.index > start.index && s.category !== 'lost') ?? null;
}
