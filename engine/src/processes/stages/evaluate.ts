import type { FieldIssue } from '../../core/errors.js';
import type { CompiledGateItem, GateEvalContext, GateResult } from '../gates/registry.js';
import type { CompiledStage } from './compiled.js';

export interface StageAnswer {
  stage: CompiledStage;
  items: { item: CompiledGateItem; result: GateResult }[];
}

/** Every item of every stage's gate, in order (each sees the same record and locks). */
export async function evaluateGates(stages: CompiledStage[], ctx: GateEvalContext): Promise<StageAnswer[]> {
  const out: StageAnswer[] = [];
  for (const stage of stages) {
    const items = [];
    for (const item of stage.gate) items.push({ item, result: await item.evaluate(ctx) });
    out.push({ stage, items });
  }
  return out;
}

/** The unmet items as issues at the stage field's pointer, each with its code, why and details. */
export function unmetIssues(answers: StageAnswer[], at: string): FieldIssue[] {
  return answers.flatMap(({ stage, items }) =>
    items
      .filter((x) => !x.result.met)
      .map(({ item, result }) => ({
        pointer: at,
        code: result.code,
        params: { ...result.params, stage: stage.label },
        detail: {
          stage: stage.value,
          item: item.name,
          kind: item.kind,
          label: item.label,
          ...result.details,
        },
      })),
  );
}
