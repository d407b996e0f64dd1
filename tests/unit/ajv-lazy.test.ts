import { describe, expect, it } from 'vitest';
import { compileLazily, createAjv } from '../../engine/src/core/ajv.js';
import { validatePackageShape } from '../../engine/src/metadata/schemas.js';

describe('validators compiled on first use', () => {
  it('compiles once, on the first call, and reports errors like the compiled function', () => {
    const ajv = createAjv();
    let compiles = 0;
    const compile = ajv.compile.bind(ajv);
    ajv.compile = ((schema: object) => {
      compiles++;
      return compile(schema);
    }) as typeof ajv.compile;
    const v = compileLazily(() => ajv, { type: 'object', required: ['name'] });
    expect(compiles).toBe(0);
    expect(v({})).toBe(false);
    expect(v.errors?.[0]).toMatchObject({ keyword: 'required', params: { missingProperty: 'name' } });
    expect(v({ name: 'x' })).toBe(true);
    expect(v.errors).toBeNull();
    expect(compiles).toBe(1);
  });

  it('the meta-model still refuses a malformed package the first time it is asked', () => {
    expect(validatePackageShape({ objects: 'not a list' })).toBe(false);
    expect(validatePackageShape.errors?.some((e) => e.instancePath === '/objects')).toBe(true);
  });
});
