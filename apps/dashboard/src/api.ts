/** The dashboard's API client: same-origin fetch, the CSRF token on state-changing requests, 401 → login. */
import type { QueryAnswer } from '@mbuzz/ingest';

export interface Me {
  user: { id: string; email: string; role: 'admin' | 'viewer' };
  account: { id: string; name: string; slug: string; timezone?: string | null };
  csrf_token: string;
  expires_at: string;
  /** Whether the account has any stored session of live / test traffic (absent on older servers). */
  data?: { live: boolean; test: boolean };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
let onUnauthorized: () => void = () => {};

let userId: string | null = null;

/** The signed-in session's CSRF token and user (null when signed out). */
export function sessionUserId(): string | null {
  return userId;
}

export function setSession(me: Me | null): void {
  csrfToken = me?.csrf_token ?? null;
  userId = me?.user.id ?? null;
  timeZone = me?.account.timezone ?? null;
}

let timeZone: string | null = null;

/** The signed-in account's time zone (reports default to it; UTC when it has none). */
export function accountTimeZone(): string {
  return timeZone ?? 'UTC';
}

/** Called when a request other than the login itself answers 401 (the session ended). */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  accept?: string;
  signal?: AbortSignal;
}

async function send(path: string, options: RequestOptions = {}, retried = false): Promise<Response> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { Accept: options.accept ?? 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const sentToken = csrfToken;
  if (method !== 'GET' && sentToken) headers['X-CSRF-Token'] = sentToken;
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? null : JSON.stringify(options.body),
      signal: options.signal ?? null,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'network_error', 'The server cannot be reached. Check your connection and retry.');
  }
  if (response.ok) return response;
  let code = 'http_error';
  let message = `The server answered ${response.status}.`;
  try {
    const body = (await response.json()) as { error?: unknown; code?: unknown };
    if (typeof body.error === 'string') message = body.error;
    if (typeof body.code === 'string') code = body.code;
  } catch {
    // Not JSON: keep the generic text.
  }
  if (response.status === 401 && path !== '/auth/login' && path !== '/auth/me') onUnauthorized();
  // A login in another tab replaced this session: take its token once and send again.
  if (response.status === 403 && code === 'invalid_csrf_token' && !retried) {
    if (csrfToken !== sentToken || (await refreshCsrfToken(sentToken))) return send(path, options, true);
  }
  throw new ApiError(response.status, code, message);
}

async function refreshCsrfToken(stale: string | null): Promise<boolean> {
  let me: Me;
  try {
    const response = await fetch('/api/v1/auth/me', {
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
    });
    if (!response.ok) return false;
    me = (await response.json()) as Me;
  } catch {
    return false;
  }
  if (typeof me.csrf_token !== 'string' || me.csrf_token === stale) return false;
  // Another user signed in in another tab: start over as that user rather than mix two accounts.
  if (userId !== null && me.user?.id !== userId) {
    window.location.reload();
    return false;
  }
  csrfToken = me.csrf_token;
  return true;
}

export async function apiJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, options);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export async function apiText(path: string, options: RequestOptions = {}): Promise<string> {
  const response = await send(path, options);
  return response.text();
}

// ---- Reporting API types (docs/api.md "Reporting API") ----

export type Filter = [op: string, dimension: string, values: string[]];

export interface QueryBody {
  date_range: string | [string, string];
  metrics: string[];
  dimensions?: string[];
  filters?: Filter[];
  compare?: 'previous_period';
  order_by?: Array<[string, 'asc' | 'desc']>;
  limit?: number;
  environment?: 'test';
}

// The answers' shapes are the server's own (type-only: nothing of the server is bundled).
export type { QueryAnswer, RecentEvent, ResultRow as QueryRow } from '@mbuzz/ingest';

export function runQuery(body: QueryBody, signal?: AbortSignal): Promise<QueryAnswer> {
  return apiJson<QueryAnswer>('/query', { method: 'POST', body, ...(signal ? { signal } : {}) });
}

export function queryCsv(body: QueryBody): Promise<string> {
  return apiText('/query', { method: 'POST', body, accept: 'text/csv' });
}

export interface ApiKey {
  id: string;
  prefix: string;
  environment: 'live' | 'test';
  scope: 'ingest' | 'read';
  description: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}
