import type { RequestView } from '@mbuzz/core';
import type { Request } from 'express';

/**
 * The neutral view core works on. `req.protocol` and `req.hostname` honour the app's `trust proxy`
 * setting (X-Forwarded-Proto / X-Forwarded-Host) in Express 4 and 5, so the URL — and with it the
 * cookies' `Secure` flag — is the one the visitor saw. Core parses the Cookie header itself.
 */
export function requestViewOf(req: Request): RequestView {
  return {
    method: req.method,
    url: `${req.protocol}://${hostOf(req)}${req.originalUrl}`,
    headers: req.headers,
  };
}

/**
 * Express 4's `req.host` is a deprecated alias of `hostname` (no port) while Express 5's keeps the port,
 * so use `hostname` (trust-proxy aware in both) and take the port back from the Host header when that
 * header is where the name came from.
 */
function hostOf(req: Request): string {
  const hostname = req.hostname;
  if (!hostname) return 'localhost';
  const header = req.headers.host;
  return header?.startsWith(`${hostname}:`) ? header : hostname;
}
