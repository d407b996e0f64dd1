import { isUtf8 } from 'node:buffer';
import type { Request, RequestHandler } from 'express';
import { DomainError, pointer } from '../core/errors.js';

/**
 * Guards at the edge of the API, before any route: the body is JSON (415 otherwise), decodes as
 * UTF-8 (400, never stored as U+FFFD), nests no deeper than any legitimate record, rule or
 * package, and no text anywhere (body, query, path) holds a NUL character, which Postgres text
 * cannot store: refused with a 400 naming the field, instead of a database error.
 */
export const MAX_JSON_DEPTH = 32;

/** Media types the API reads: JSON and its `+json` family (merge-patch, problem). */
export const JSON_TYPES = ['application/json', 'application/*+json'];

/** True when a parsed JSON value nests deeper than `max` (stops at the first such path). */
export function tooDeep(v: unknown, max: number, depth = 1): boolean {
  if (depth > max) return true;
  if (Array.isArray(v))
    return v.some((x) => x !== null && typeof x === 'object' && tooDeep(x, max, depth + 1));
  if (v !== null && typeof v === 'object')
    return Object.values(v).some((x) => x !== null && typeof x === 'object' && tooDeep(x, max, depth + 1));
  return false;
}

const hasBody = (req: Request) =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/**
 * Every guard above in one middleware (one router layer, not four, on every request): no NUL in
 * the path or query; a body must be JSON (415: a form or a text would otherwise read as an empty
 * record), is parsed by `parse` (express.json with its size limit), and must nest no deeper than
 * MAX_JSON_DEPTH and hold no NUL. A body an earlier parser already read (a route's larger limit)
 * is not read again, only checked.
 */
export function guardRequest(parse: RequestHandler): RequestHandler {
  return (req, res, next) => {
    refuseNulInUrl(req);
    if (!hasBody(req)) return next();
    if (!req.is(JSON_TYPES))
      throw new DomainError(415, 'UNSUPPORTED_MEDIA_TYPE', {
        type: String(req.headers['content-type'] ?? '').slice(0, 100) || '—',
      });
    void parse(req, res, (err?: unknown) => {
      if (err) return next(err);
      try {
        refuseBody(req.body);
      } catch (e) {
        return next(e);
      }
      next();
    });
  };
}

function refuseBody(body: unknown) {
  if (sound(body, 1)) return;
  if (body !== null && typeof body === 'object' && tooDeep(body, MAX_JSON_DEPTH))
    throw new DomainError(400, 'JSON_TOO_DEEP', { max: MAX_JSON_DEPTH });
  const at = nulAt(body);
  if (at !== null) throw nul(at || '/', at || '/');
}

/**
 * Neither too deep nor holding a NUL, in one walk that makes nothing (a batch body has 1,000
 * records): the common answer. False sends the body through the checks above, which say which.
 */
function sound(v: unknown, depth: number): boolean {
  if (typeof v === 'string') return !v.includes('\u0000');
  if (v === null || typeof v !== 'object') return true;
  if (depth > MAX_JSON_DEPTH) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!sound(v[i], depth + 1)) return false;
    return true;
  }
  for (const k in v)
    if (k.includes('\u0000') || !sound((v as Record<string, unknown>)[k], depth + 1)) return false;
  return true;
}

/** body-parser `verify`: bytes that are not UTF-8 are refused before they are decoded (lossily). */
export function verifyUtf8(_req: unknown, _res: unknown, buf: Buffer, encoding: string | null) {
  if (encoding && encoding.toLowerCase().replace('-', '') !== 'utf8') return;
  // A check in place (no string made): the body is decoded once, by the JSON parser.
  if (!isUtf8(buf))
    throw Object.assign(new Error('request body is not valid UTF-8'), { type: 'utf8.invalid' });
}

/** The JSON pointer of the first key or string value holding a NUL, or null. */
export function nulAt(v: unknown, at = '', depth = 0): string | null {
  const path = nulPath(v, depth);
  return path === null ? null : at + path.map((k) => (typeof k === 'number' ? `/${k}` : pointer(k))).join('');
}

/**
 * The keys down to the first NUL, or null. The pointer is built only when one is found: every
 * write body passes here, and nearly none holds a NUL.
 */
function nulPath(v: unknown, depth: number): (string | number)[] | null {
  if (typeof v === 'string') return v.includes('\u0000') ? [] : null;
  if (v === null || typeof v !== 'object' || depth > MAX_JSON_DEPTH) return null;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = nulPath(v[i], depth + 1);
      if (p !== null) return [i, ...p];
    }
    return null;
  }
  for (const k in v) {
    if (k.includes('\u0000')) return [k];
    const p = nulPath((v as Record<string, unknown>)[k], depth + 1);
    if (p !== null) return [k, ...p];
  }
  return null;
}

const nul = (field: string, issuePointer?: string) =>
  new DomainError(
    400,
    'NUL_CHARACTER',
    { field },
    issuePointer === undefined ? [] : [{ pointer: issuePointer, code: 'NUL_CHARACTER', params: { field } }],
  );

/** Refuses a NUL character in the path or a query parameter. */
function refuseNulInUrl(req: Request) {
  // The URL's own text, not express's getters (req.path parses the URL, req.query the query
  // string, on every read): most records requests have no query string to look at.
  const url = req.url;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  // Only an escaped path can decode to a NUL: most paths are not decoded at all.
  if (path.includes('\u0000') || (path.includes('%') && safeDecode(path).includes('\u0000')))
    throw nul('path');
  if (q < 0) return;
  for (const [k, v] of Object.entries(req.query))
    if (k.includes('\u0000') || nulAt(v) !== null) throw nul(k.split('\u0000').join(''));
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
