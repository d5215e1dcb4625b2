import type { RequestView } from '@mbuzz/core';
import type { Context } from 'koa';

/**
 * The neutral view core works on. `ctx.href` is built from `ctx.protocol` and `ctx.host`, which honour
 * `app.proxy` (X-Forwarded-Proto / X-Forwarded-Host), so the URL — and with it the cookies' `Secure`
 * flag — is the one the visitor saw. Core parses the Cookie header itself: no `app.keys` needed.
 */
export function requestViewOf(ctx: Context): RequestView {
  return { method: ctx.method, url: ctx.href, headers: ctx.headers };
}
