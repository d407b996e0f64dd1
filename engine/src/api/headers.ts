import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Security headers on every answer outside the API (helmet): nosniff, no framing by other sites, no referrer,
 * and a Content-Security-Policy the built studio runs under (its own scripts only; Element
 * Plus sets inline styles). No upgrade-insecure-requests: a plain-HTTP install on a LAN must
 * still load its own assets; TLS is the proxy's business (HSTS is sent for when it is there).
 */
export const securityHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      baseUri: ["'self'"],
      connectSrc: ["'self'"],
      fontSrc: ["'self'", 'data:'],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      objectSrc: ["'none'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
    },
  },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
});

/**
 * The API's answers are JSON, never documents: they need only what keeps a browser from sniffing,
 * framing or leaking them (OWASP REST Security Cheat Sheet), not the studio's document policy.
 * Set at once from one list, instead of helmet's twelve middleware functions on every request.
 */
const API_HEADERS: [string, string][] = [
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
];

export const apiSecurityHeaders: RequestHandler = (_req, res, next) => {
  for (const [name, value] of API_HEADERS) res.setHeader(name, value);
  next();
};
