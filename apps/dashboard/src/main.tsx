import './styles.css';
import { QueryClient, QueryClientProvider } from '@tanstack/preact-query';
import { render } from 'preact';
import { App } from './App.js';
import { ApiError } from './api.js';

const client = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // A client error (400, 401, 403, 404) will not heal by itself; a server or network error may.
      retry: (count, error) =>
        count < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
    },
  },
});

const root = document.getElementById('app');
if (root) {
  render(
    <QueryClientProvider client={client}>
      <App />
    </QueryClientProvider>,
    root,
  );
}
