import { describe, expect, it } from 'vitest';
import { assignIds } from '../../engine/src/metadata/ids.js';
import { compileModel } from '../../engine/src/metadata/compile.js';
import type { WriteContext } from '../../engine/src/records/pipeline.js';
import { normalize } from '../../engine/src/records/steps/normalize.js';
import { salesPackage } from '../helpers/packages.js';

const pkg = assignIds(salesPackage(), null, {
  tenant: '7d1e2c1a-0000-4000-8000-000000000001',
  baseVersion: 0,
});
const object = compileModel(pkg, 1, 'h').objects.values().next().value!;
const text = object.fieldList.find((f) => f.def.type === 'text')!.name;

function run(input: Record<string, unknown>) {
  const item = { index: 0, op: 'create' as const, input, before: null, values: {}, pointer: '' };
  const ctx = { object, items: [item], issues: [] } as unknown as WriteContext;
  normalize.run(ctx);
  return { values: item.values as Record<string, unknown>, issues: ctx.issues };
}

describe('normalize', () => {
  it('reads only the input’s own names, as authorize checks them', () => {
    // An inherited name (a caller's object built on a prototype, or a polluted Object.prototype)
    // is not a value: authorize never saw it, so it must not reach persist.
    const input = Object.create({ [text]: 'inherited', id: 'x' }) as Record<string, unknown>;
    const { values, issues } = run(input);
    expect(values[text]).toBeUndefined();
    expect(Object.keys(values)).not.toContain('id');
    expect(issues).toEqual([]);
  });

  it('trims single-line texts and refuses system fields with their name', () => {
    const { values, issues } = run({ [text]: '  padded  ', id: 'x' });
    expect(values[text]).toBe('padded');
    expect(issues).toEqual([{ pointer: '/id', code: 'READ_ONLY_FIELD', params: { field: 'id' } }]);
  });
});
