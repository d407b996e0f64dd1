import type { CompiledModel, CompiledObject } from './compile.js';

/**
 * What the engine derives from a compiled object (its catalog, validators, rules, plans), made on
 * first use and kept with the object. Every metadata version compiles new objects, so an entry
 * lives exactly as long as its version: nothing goes stale, nothing needs evicting by hand.
 */
export function perObject<T>(build: (o: CompiledObject) => T): (o: CompiledObject) => T {
  const made = new WeakMap<CompiledObject, T>();
  return (o) => {
    let v = made.get(o);
    if (v === undefined) made.set(o, (v = build(o)));
    return v;
  };
}

/** perObject for what also reads the rest of the object's model (an object belongs to one model). */
export function perObjectIn<T>(
  build: (model: CompiledModel, o: CompiledObject) => T,
): (model: CompiledModel, o: CompiledObject) => T {
  const made = new WeakMap<CompiledObject, T>();
  return (model, o) => {
    let v = made.get(o);
    if (v === undefined) made.set(o, (v = build(model, o)));
    return v;
  };
}
