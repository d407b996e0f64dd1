import type { ErrorRequestHandler, Request, Response } from 'express';
import { DomainError, renderIssues } from '../core/errors.js';
import { formatMessage } from '../core/messages.js';
import type { Lang } from '../core/model.js';
import { fromPgError } from '../db/pg-errors.js';

/** The reader's language: ?locale=, then Accept-Language; English otherwise. */
export function langOf(req: Request): Lang {
  const q = typeof req.query.locale === 'string' ? req.query.locale : '';
  const header = req.headers['accept-language'] ?? '';
  const pick = (s: string) => (/^zh/i.test(s.trim()) ? 'zh-CN' : /^en/i.test(s.trim()) ? 'en' : null);
  if (q && pick(q)) return pick(q)!;
  for (const part of header.split(',')) {
    const l = pick(part.split(';')[0]);
    if (l) return l;
  }
  return 'en';
}

const kebab = (code: string) => code.toLowerCase().replace(/_/g, '-');

/** Sends an RFC 9457 problem+json: stable code, localized detail, per-field errors. */
export function sendProblem(req: Request, res: Response, e: DomainError) {
  const lang = langOf(req);
  const requestId = res.locals.requestId as string;
  const { retryAfter, ...extra } = e.extra as { retryAfter?: number };
  if (retryAfter) res.setHeader('Retry-After', String(retryAfter));
  res
    .status(e.status)
    .type('application/problem+json')
    .setHeader('Content-Language', lang)
    .json({
      type: `https://tessera.dev/problems/${kebab(e.code)}`,
      // In the reader's language too (RFC 9457 allows localizing the title).
      title: formatMessage(e.code, lang, { ...e.params, requestId }),
      status: e.status,
      detail: formatMessage(e.code, lang, { ...e.params, requestId }),
      instance: requestId,
      code: e.code,
      ...(e.issues.length ? { errors: renderIssues(e.issues, lang) } : {}),
      ...extra,
    });
}

/**
 * body-parser's refusals (http-errors with a `type`): each a 4xx problem of its own. Anything
 * else it raises while reading (a broken gzip stream, an aborted upload) is a 400.
 */
function fromBodyParser(err: unknown): DomainError | null {
  const e = err as { type?: string; status?: number; charset?: string; encoding?: string };
  if (!e || typeof e !== 'object') return null;
  switch (e.type) {
    case 'entity.parse.failed':
      return new DomainError(400, 'INVALID_JSON');
    case 'entity.too.large':
      return new DomainError(413, 'PAYLOAD_TOO_LARGE');
    case 'charset.unsupported':
      return new DomainError(415, 'UNSUPPORTED_CHARSET', { charset: String(e.charset ?? '').slice(0, 40) });
    case 'encoding.unsupported':
      return new DomainError(415, 'UNSUPPORTED_ENCODING', {
        encoding: String(e.encoding ?? '').slice(0, 40),
      });
    case 'utf8.invalid':
      return new DomainError(400, 'INVALID_UTF8');
  }
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500 && 'expose' in e)
    return new DomainError(400, 'UNREADABLE_BODY');
  return null;
}

/** Last handler: domain errors as they are, known database refusals translated, the rest a bare 500. */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  void _next;
  if (err instanceof DomainError) return sendProblem(req, res, err);
  const body = fromBodyParser(err);
  if (body) return sendProblem(req, res, body);
  const pg = fromPgError(err);
  if (pg) return sendProblem(req, res, pg);
  // No stack, SQL or constraint names leave the server: the request's log line carries the error
  // with its stack (pino-http logs `res.err`), found by the request id the response shows.
  res.err = err instanceof Error ? err : new Error(String(err));
  sendProblem(req, res, new DomainError(500, 'INTERNAL'));
};
