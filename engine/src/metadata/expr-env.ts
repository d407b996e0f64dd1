import { envFromObjects, type ExprEnv } from '../rules/index.js';
import type { CompiledModel } from './compile.js';

const envs = new WeakMap<CompiledModel, (object: string) => ExprEnv | undefined>();

/**
 * The expression environment of one of a model's objects (its fields' types, its lookups), for
 * compiling formulas, rules, gate conditions and flow conditions. One per model, so per metadata
 * version, shared by all of them; undefined for an object the model does not have.
 */
export function exprEnvOf(model: CompiledModel, object: string): ExprEnv | undefined {
  let envOf = envs.get(model);
  if (!envOf) envs.set(model, (envOf = envFromObjects(model.pkg.objects)));
  return envOf(object);
}
