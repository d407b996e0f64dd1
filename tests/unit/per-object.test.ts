import { describe, expect, it } from 'vitest';
import type { CompiledModel, CompiledObject } from '../../engine/src/metadata/compile.js';
import { perObject, perObjectIn } from '../../engine/src/metadata/per-object.js';

// Only identity matters to the cache: two distinct objects stand for two metadata versions.
const objectA = { name: 'deal' } as CompiledObject;
const objectB = { name: 'deal' } as CompiledObject;
const model = {} as CompiledModel;

describe('perObject: derived once per compiled object', () => {
  it('builds on first use, then answers the same value for that object', () => {
    const built: string[] = [];
    const plan = perObject((o) => (built.push(o.name), { of: o }));
    const first = plan(objectA);
    expect(plan(objectA)).toBe(first);
    expect(built).toEqual(['deal']);
  });

  it('builds again for another object (a new metadata version compiles new objects)', () => {
    const plan = perObject((o) => ({ of: o }));
    expect(plan(objectB)).not.toBe(plan(objectA));
    expect(plan(objectB).of).toBe(objectB);
  });

  it('perObjectIn passes the model to the build and keys by the object', () => {
    const seen: CompiledModel[] = [];
    const rules = perObjectIn((m, o) => (seen.push(m), o.name.length));
    expect(rules(model, objectA)).toBe(4);
    expect(rules(model, objectA)).toBe(4);
    expect(seen).toEqual([model]);
  });
});
