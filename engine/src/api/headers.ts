import helmet from 'helmet';

/**
 * Security headers on every answer (helmet): nosniff, no framing by other sites, no referrer,
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
