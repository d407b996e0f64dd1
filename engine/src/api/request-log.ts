import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { Principal } from '../tenancy/tenants.js';

/**
 * An incoming `X-Request-Id` is kept when it looks like an id (a proxy's or the caller's, so one
 * id follows the request across services); anything else — too long, spaces, quotes, control
 * characters — is replaced by a fresh UUID, so what we echo and log is always harmless.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:=+/-]{1,128}$/;

export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

/** Sets `res.locals.requestId` and echoes it as `X-Request-Id`. */
export const assignRequestId: RequestHandler = (req, res, next) => {
  const id = requestIdOf(req.headers['x-request-id']);
  res.locals.requestId = id;
  res.setHeader('X-Request-Id', id);
  next();
};

const pathOf = (url: string | undefined) => (url ?? '').split('?')[0];
/** Probes answer many times a minute: their successes are logged at debug level only. */
const PROBES = new Set(['/health', '/ready']);

/**
 * One log line per request, written when the response finishes: request id, tenant, user,
 * method, path (never the query string, which can hold personal data), status and time in ms.
 * A 5xx line carries the error with its stack (`res.err`, set by the error handler); the
 * response itself never does.
 */
export function requestLogger(logger: Logger): RequestHandler | null {
  // Request lines are info and error: below that (silent, fatal, as in tests and benchmarks)
  // nothing would be written, so there is no middleware at all (null) and no per-request work.
  if (!logger.isLevelEnabled('error')) return null;
  const log = pinoHttp({
    logger,
    genReqId: (_req: IncomingMessage, res: ServerResponse) =>
      (res as ServerResponse & { locals?: { requestId?: string } }).locals?.requestId ?? randomUUID(),
    // Only the request id on req.log; the request's own fields are added once, on the final line.
    quietReqLogger: true,
    quietResLogger: true,
    customProps: (_req, res) => {
      const p = (res as ServerResponse & { locals?: { principal?: Principal } }).locals?.principal;
      return p ? { tenant: p.tenant.slug, user: p.userId } : {};
    },
    customSuccessObject: (req, res, val: Record<string, unknown>) => ({ ...val, req: summary(req, res) }),
    customErrorObject: (req, res, _err, val: Record<string, unknown>) => ({ ...val, req: summary(req, res) }),
    customLogLevel: (req, res, err) => {
      if (err || res.statusCode >= 500) return 'error';
      if (res.statusCode < 400 && PROBES.has(pathOf(req.url))) return 'debug';
      return 'info';
    },
    serializers: { res: (r: { statusCode: number }) => ({ statusCode: r.statusCode }) },
    wrapSerializers: true,
  });
  return log as unknown as RequestHandler;
}

function summary(req: IncomingMessage, res: ServerResponse) {
  const original = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url;
  return { method: req.method, url: pathOf(original), ...(res.writableEnded ? {} : { aborted: true }) };
}
