import type { PicklistOption } from '../api/types';
import { suggestName } from '../lib/names';

type T = (key: string, params?: Record<string, unknown>) => string;

/** The engine's rule for option values (engine/src/fields/types/picklist.ts). */
const VALUE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$/;

const blankRow = (o: PicklistOption) => !o.value.trim() && !o.label.en.trim() && !o.label['zh-CN'].trim();

/**
 * The options as they would be saved: rows left entirely empty are dropped (never saved as a blank
 * option), labels trimmed, a value proposed from the English label where there is none.
 */
export function cleanOptions(options: PicklistOption[]): PicklistOption[] {
  return options
    .filter((o) => !blankRow(o))
    .map((o, i) => {
      const label = { en: o.label.en.trim(), 'zh-CN': o.label['zh-CN'].trim() };
      const value =
        o.value.trim() || suggestName(label.en) || (label.en || label['zh-CN'] ? `option_${i + 1}` : '');
      return { ...o, value, label, order: i + 1 };
    });
}

/**
 * What is wrong with the options, each message naming its row by its position among the rows
 * shown ("Option 2: …"), in the UI language; and which rows are wrong.
 */
export function optionProblems(options: PicklistOption[], t: T): { messages: string[]; rows: Set<number> } {
  const messages: string[] = [];
  const rows = new Set<number>();
  const firstOf = new Map<string, number>();
  let kept = 0;
  options.forEach((o, i) => {
    if (blankRow(o)) return;
    kept++;
    const n = i + 1;
    const say = (key: string, params: Record<string, unknown> = {}) => {
      messages.push(t(key, { n, ...params }));
      rows.add(i);
    };
    if (!o.label.en.trim() || !o.label['zh-CN'].trim()) say('admin.options.errOptionLabels');
    const value = cleanOptions([o])[0]?.value ?? '';
    if (value && !VALUE.test(value)) say('admin.options.errOptionValue');
    else if (value && firstOf.has(value))
      say('admin.options.errOptionTaken', { value, m: firstOf.get(value)! + 1 });
    if (value && !firstOf.has(value)) firstOf.set(value, i);
  });
  if (!kept) messages.push(t('admin.options.errNoOptions'));
  return { messages, rows };
}
