import type { FieldDef } from '../api/types';

/** Every widget takes the field definition and a value, and emits update:modelValue. */
export interface WidgetProps {
  field: FieldDef;
  modelValue?: unknown;
  disabled?: boolean;
}
