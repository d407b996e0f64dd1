import type { JsonValue } from '../core/model.js';

/** Counts nodes and depth of a JSON expression, stopping early once over the limits. */
export function expressionSize(e: JsonValue, maxNodes: number, maxDepth: number): { ok: boolean } {
  let nodes = 0;
  const walk = (v: JsonValue, depth: number): boolean => {
    nodes += 1;
    if (nodes > maxNodes || depth > maxDepth) return false;
    if (Array.isArray(v)) return v.every((x) => walk(x, depth + 1));
    if (v && typeof v === 'object') return Object.values(v).every((x) => walk(x, depth + 1));
    return true;
  };
  return { ok: walk(e, 1) };
}
