import { useQueryClient } from '@tanstack/preact-query';
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, apiJson, type Me, setSession } from '../api.js';
import { navigate, safeReturnPath, useLocation } from '../router.js';

export function LoginPage(): JSX.Element {
  const location = useLocation();
  const client = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const email = useRef<HTMLInputElement>(null);
  useEffect(() => email.current?.focus(), []);

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      const me = await apiJson<Me>('/auth/login', {
        method: 'POST',
        body: { email: String(form.get('email') ?? ''), password: String(form.get('password') ?? '') },
      });
      setSession(me);
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
      client.setQueryData(['me'], me);
      navigate(safeReturnPath(location.search.get('next')), { replace: true });
    } catch (e) {
      setBusy(false);
      setError(e instanceof ApiError ? e.message : 'Sign-in failed.');
    }
  };

  return (
    <main class="login" id="main">
      <form class="card login-card" onSubmit={onSubmit} aria-busy={busy ? 'true' : 'false'}>
        <p class="brand">mbuzz</p>
        <h1>Sign in</h1>
        <div class="field">
          <label htmlFor="login-email">Email</label>
          <input id="login-email" name="email" type="email" autoComplete="username" required ref={email} />
        </div>
        <div class="field">
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
          />
        </div>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
