import type http from 'node:http';
import type https from 'node:https';
import type { CloseResult, MbuzzClient, WireEvent } from '@mbuzz/core';
import type { MemoryTransport } from '@mbuzz/core/testing';
import { afterEach } from 'vitest';
import { serve } from './serve.js';

/** An adapter's middleware as the tests see it: the client behind it and `close()`. */
export interface TestedMiddleware {
  readonly client: MbuzzClient;
  close(options?: { timeoutMs?: number }): Promise<CloseResult>;
}

/** A real app on a real server, its middleware delivering to a memory transport. */
export interface ServedApp<M extends TestedMiddleware = TestedMiddleware> {
  /** `http://127.0.0.1:PORT` (or `https://…`) */
  origin: string;
  transport: MemoryTransport;
  middleware: M;
  /** Resolves once every response so far has been closed (its page view, if any, is queued). */
  settled(): Promise<void>;
  /** Events delivered once every response so far is finished and the queue flushed. */
  events(): Promise<WireEvent[]>;
}

/**
 * Returns `serveApp()`, which serves an app on a random port; the server and the middleware are closed
 * after each test. Call it inside the `describe` of the tests that use it.
 */
export function useServedApps() {
  let served: { close(): Promise<void> } | undefined;
  let closeClient: (() => Promise<unknown>) | undefined;

  afterEach(async () => {
    await served?.close();
    await closeClient?.();
    served = undefined;
    closeClient = undefined;
  });

  return async function serveApp<M extends TestedMiddleware>(
    listener: http.RequestListener,
    parts: { middleware: M; transport: MemoryTransport; tls?: https.ServerOptions | undefined },
  ): Promise<ServedApp<M>> {
    const { middleware, transport } = parts;
    closeClient = () => middleware.close({ timeoutMs: 1000 });
    const server = await serve(listener, parts.tls);
    served = server;
    return {
      origin: server.origin,
      transport,
      middleware,
      settled: server.settled,
      async events() {
        await server.settled();
        await middleware.client.flush();
        return transport.events;
      },
    };
  };
}
