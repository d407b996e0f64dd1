import { condition } from './items/condition.js';
import { fieldRequired } from './items/field-required.js';
import { relatedRecords } from './items/related-records.js';
import { registerGateItem } from './registry.js';

export * from './registry.js';

/** The built-in gate item kinds; approvals adds `approval_approved` through registerGateItem. */
export function registerBuiltinGateItems(): void {
  registerGateItem(fieldRequired);
  registerGateItem(condition);
  registerGateItem(relatedRecords);
}
