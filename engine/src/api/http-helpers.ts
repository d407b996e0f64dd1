import { text as msg } from '../core/messages.js';
import type { Request, Response } from 'express';
import { badRequest, DomainError } from '../core/errors.js';
import { isUuid } from '../records/read.js';

/** Whether the request's URL has a query string (a `?`): most records requests have none. */
const hasQuery = (req: Request) => req.url.includes('?');

/** Refuses query parameters outside the allowlist (unknown ones never slip past). */
export function strictQuery(req: Request, allowed: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!hasQuery(req)) return out; // express parses the query string on every read of req.query
  for (const [k, v] of Object.entries(req.query)) {
    if (!allowed.includes(k)) throw badRequest('UNKNOWN_PARAMETER', { name: k, allowed: allowed.join(', ') });
    if (typeof v !== 'string') throw badRequest('BAD_REQUEST', { reason: msg('R_PARAM_ONCE', { name: k }) });
    out[k] = v;
  }
  return out;
}

/**
 * `If-Match: "3"` → 3; absent → undefined; `*` → undefined (any version). A record's ETag may
 * carry a derived-values part (`"3-1x9k2"`): If-Match compares the edit version only, so a roll-up
 * recalculated by a colleague's child record does not make an edit fail.
 */
export function ifMatch(req: Request): number | undefined {
  const h = req.headers['if-match'];
  if (h === undefined || h.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"m?(\d{1,9})(?:-[0-9a-z]{1,13})?"\s*$/.exec(h);
  if (!m) throw new DomainError(400, 'PRECONDITION_INVALID');
  return Number(m[1]);
}

/** Whether `If-None-Match` names this ETag (or is `*`); weak and strong tags compare alike. */
export function ifNoneMatch(req: Request, tag: string): boolean {
  const h = req.headers['if-none-match'];
  if (!h) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return h.trim() === '*' || h.split(',').some((t) => bare(t) === bare(tag));
}

export const etag = (version: number) => `"${version}"`;
export const metaEtag = (version: number) => `"m${version}"`;

export function parseJsonParam(name: string, raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  if (raw.length > 20_000)
    throw badRequest('BAD_FILTER', { pointer: '/', reason: msg('R_TEXT_TOO_LONG', { max: 20_000 }) });
  try {
    return JSON.parse(raw);
  } catch {
    throw badRequest('BAD_FILTER', { pointer: '/', reason: msg('R_NOT_JSON', { name }) });
  }
}

export const listParam = (raw: string | undefined) =>
  raw === undefined
    ? undefined
    : raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

export function intParam(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,6}$/.test(raw)) throw badRequest('BAD_LIMIT', { max: 200 });
  return Number(raw);
}

/** A path parameter that must be a record or user id: a malformed one is a 400 naming it, not a 404. */
export function idParam(req: Request, name: string): string {
  const v = String(req.params[name]);
  if (!isUuid(v)) throw new DomainError(400, 'BAD_ID', { parameter: name }, [], { parameter: name });
  return v;
}

/**
 * A JSON answer as express's `res.json` writes it (UTF-8, its length) without what it does per
 * call that the records API does not need: settings lookups, a content-type negotiation and a
 * freshness check (this API sets its own ETags and answers If-None-Match itself).
 */
export function sendJson(res: Response, body: unknown): void {
  const text = JSON.stringify(body);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
