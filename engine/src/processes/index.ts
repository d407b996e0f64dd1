import type { RecordStep } from '../records/pipeline.js';
import { registerDeployExtension } from '../schema-sync/apply.js';
import { registerBuiltinGateItems } from './gates/index.js';
import { stagesDeployExtension } from './stages/deploy.js';
import { businessTypeStep, stageGateStep } from './stages/gate-step.js';
import { stageHistoryStep } from './stages/history.js';

export { StageService } from './stages/service.js';
export { registerGateItem } from './gates/registry.js';

export interface ProcessSteps {
  beforeValidate: RecordStep[];
  ruleSteps: RecordStep[];
  afterPersist: RecordStep[];
}

/**
 * Process features for the composition root: registers the gate item kinds and the stages'
 * deploy checks, and returns the steps to plug into the records pipeline.
 */
export function createProcessSteps(timeZone: string): ProcessSteps {
  registerBuiltinGateItems();
  registerDeployExtension(stagesDeployExtension);
  return {
    beforeValidate: [businessTypeStep],
    ruleSteps: [stageGateStep(timeZone)],
    afterPersist: [stageHistoryStep],
  };
}
