import { describe, expect, it } from 'vitest';
import type { FieldDef } from '../../engine/src/core/model.js';
import {
  validateCommonFieldShape,
  validateFieldShape,
  validatePackageShape,
} from '../../engine/src/metadata/schemas.js';
import { validatePackage } from '../../engine/src/metadata/validate.js';
import { field, object } from '../helpers/packages.js';

// Its own file, so these calls are the first use of the lazily compiled validators in this module graph.
describe('lazy meta-model validators', () => {
  it('reject bad metadata on first use, and are compiled only once', () => {
    const bad = validatePackage({
      objects: [object('thing', [field('name', 'text'), { ...field('f', 'text'), bogus: 1 } as FieldDef])],
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues.map((i) => i.code)).toContain('UNKNOWN_FIELD');
    expect(validatePackageShape()({ objects: 'nope' })).toBe(false);
    expect(validatePackageShape()).toBe(validatePackageShape());
    expect(validateFieldShape('text')).toBe(validateFieldShape('text'));
    expect(validateFieldShape('text')!({ name: 'f', type: 'text', bogus: 1 })).toBe(false);
    expect(validateCommonFieldShape()({ type: 'text' })).toBe(false);
    expect(validateFieldShape('no_such_type' as 'text')).toBeUndefined();
  });
});
