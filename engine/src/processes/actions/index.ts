import { createRecordAction } from './create-record.js';
import { fieldUpdateAction } from './field-update.js';
import { notifyAction } from './notify.js';
import { registerActionKind } from './registry.js';

export * from './registry.js';

/** The built-in action kinds; automation will reuse them. */
export function registerBuiltinActions(): void {
  for (const k of [fieldUpdateAction, createRecordAction, notifyAction]) registerActionKind(k);
}
