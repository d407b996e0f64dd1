import FindMyWay from 'find-my-way';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { SCOPE, type Need } from './scopes.js';

/** What a group of routes is declared on: an express router or a route table. */
export interface Routes {
  get(path: string, ...handlers: RequestHandler[]): unknown;
  post(path: string, ...handlers: RequestHandler[]): unknown;
  put(path: string, ...handlers: RequestHandler[]): unknown;
  patch(path: string, ...handlers: RequestHandler[]): unknown;
  delete(path: string, ...handlers: RequestHandler[]): unknown;
}

/** A declared route as tests and tools list it: its method, full path and declared needs. */
export interface DeclaredRoute {
  method: string;
  path: string;
  needs: Need[];
}

export type RouteTable = Routes & {
  /** The app-level middleware: runs the matched route's chain, or passes the request on. */
  handle: RequestHandler & { routes: () => DeclaredRoute[] };
};

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Routes under one prefix, found by find-my-way's radix tree in one lookup instead of express's
 * walk over every layer of every router on the way (each a regular expression and a closure):
 * on a get by id that walk was ~9 % of the engine's CPU (docs/performance.md, round 7). The
 * records API, which carries most of the traffic, is declared here; the rest of the API stays on
 * express routers.
 *
 * Matching is as strict as `apiRouter()`'s: case-sensitive, no trailing slash. A request that
 * matches no route is passed on (`next()`), so it reaches the app's 404. Each route runs
 * `prelude(path)` (headers, body guard, caller) and then its own handlers, with express 5's
 * rules: a handler's throw or rejected promise goes to the error handler. A GET route answers
 * HEAD too, as an express route does, and `req.baseUrl` is the prefix, as on a mounted router.
 */
export function routeTable(prefix: string, prelude: (path: string) => RequestHandler[]): RouteTable {
  const router = FindMyWay({ caseSensitive: true, ignoreTrailingSlash: false, maxParamLength: 200 });
  const declared: DeclaredRoute[] = [];
  const noop = () => undefined;

  const add =
    (method: Method) =>
    (path: string, ...handlers: RequestHandler[]) => {
      const chain = [...prelude(path), ...handlers];
      const needs = handlers.map((h) => (h as { [SCOPE]?: Need })[SCOPE]).filter((n): n is Need => !!n);
      const full = prefix + path;
      router.on(method, full, noop, chain);
      if (method === 'GET') router.on('HEAD', full, noop, chain);
      declared.push({ method: method.toLowerCase(), path: full, needs });
      return table;
    };

  const handle = (req: Request, res: Response, next: NextFunction) => {
    const found = router.find(req.method as FindMyWay.HTTPMethod, req.url);
    if (!found) return next();
    req.params = found.params as Record<string, string>;
    req.baseUrl = prefix; // as if mounted there: handlers build their Location from it
    runChain(found.store as RequestHandler[], req, res, next);
  };

  const table: RouteTable = {
    get: add('GET'),
    post: add('POST'),
    put: add('PUT'),
    patch: add('PATCH'),
    delete: add('DELETE'),
    handle: Object.assign(handle, { routes: () => declared.slice() }),
  };
  return table;
}

/** Calls `chain` in order as express calls a route's handlers; an error or the end goes to `done`. */
function runChain(chain: readonly RequestHandler[], req: Request, res: Response, done: NextFunction) {
  let i = 0;
  const next = (err?: unknown) => {
    if (err) return done(err);
    const h = chain[i++];
    if (!h) return done();
    try {
      const ret: unknown = h(req, res, next);
      if (ret instanceof Promise)
        ret.then(undefined, (e: unknown) => next(e ?? new Error('rejected promise')));
    } catch (e) {
      next(e);
    }
  };
  next();
}
