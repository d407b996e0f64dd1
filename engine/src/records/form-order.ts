import type { FieldIssue } from '../core/errors.js';
import type { CompiledObject } from '../metadata/compile.js';
import type { WriteItem } from './pipeline.js';
import { perObject } from '../metadata/per-object.js';

/** Field name → position on the record form: the layout's sections in order, then the other fields. */
const formOrder = perObject((o: CompiledObject): Map<string, number> => {
  const m = new Map<string, number>();
  const sections = (o.def.layout as { sections?: { fields?: unknown }[] } | undefined)?.sections;
  for (const s of Array.isArray(sections) ? sections : [])
    for (const name of Array.isArray(s?.fields) ? s.fields : [])
      if (typeof name === 'string' && !m.has(name)) m.set(name, m.size);
  for (const f of o.fieldList) if (!m.has(f.name)) m.set(f.name, m.size);
  return m;
});

/**
 * Issues as a person reads the form: item by item, and within an item record-level problems
 * first, then fields in form order (a stable sort, so one field's problems keep their order).
 */
export function inFormOrder(o: CompiledObject, items: WriteItem[], issues: FieldIssue[]): FieldIssue[] {
  if (issues.length < 2) return issues;
  const order = formOrder(o);
  const byPointer = [...items].sort((a, b) => b.pointer.length - a.pointer.length);
  const key = (i: FieldIssue): [number, number] => {
    const item = byPointer.find((x) => i.pointer === x.pointer || i.pointer.startsWith(x.pointer + '/'));
    if (!item) return [Infinity, 0];
    const field = i.pointer.slice(item.pointer.length).split('/')[1];
    return [item.index, field === undefined ? -1 : (order.get(field) ?? order.size)];
  };
  const keys = new Map(issues.map((i) => [i, key(i)]));
  return [...issues].sort((a, b) => {
    const [ia, fa] = keys.get(a)!;
    const [ib, fb] = keys.get(b)!;
    return ia - ib || fa - fb;
  });
}
