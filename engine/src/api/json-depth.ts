import type { RequestHandler } from 'express';
import { DomainError } from '../core/errors.js';

export const MAX_JSON_DEPTH = 32;

/** True when a parsed JSON value nests deeper than `max` (stops at the first such path). */
export function tooDeep(v: unknown, max: number, depth = 1): boolean {
  if (depth > max) return true;
  if (Array.isArray(v))
    return v.some((x) => x !== null && typeof x === 'object' && tooDeep(x, max, depth + 1));
  if (v !== null && typeof v === 'object')
    return Object.values(v).some((x) => x !== null && typeof x === 'object' && tooDeep(x, max, depth + 1));
  return false;
}

/** Refuses request bodies nested deeper than any legitimate record, rule or package. */
export const limitJsonDepth: RequestHandler = (req, _res, next) => {
  if (req.body !== null && typeof req.body === 'object' && tooDeep(req.body, MAX_JSON_DEPTH))
    throw new DomainError(400, 'BAD_REQUEST', { reason: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` });
  next();
};
