import type { ServerResponse } from 'node:http';
import { createAdapterReporter } from '../client/create-adapter-reporter.js';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from '../options/defaults.js';
import type { MbuzzOptions } from '../options/mbuzz-options.js';
import type { CloseResult, MbuzzClient, RequestTracking, RequestView } from '../types.js';
import { closeOnSignals } from './close-on-signals.js';
import { createClient } from './create-node-client.js';
import { trackNodeResponse } from './track-node-response.js';

/** Options of a Node middleware adapter: every `@mbuzz/core` option, plus shutdown handling. */
export interface NodeAdapterOptions extends MbuzzOptions {
  /**
   * Flush the queue on SIGTERM/SIGINT, then let the process end as it would have (see `closeOnSignals`).
   * @default false
   */
  handleSignals?: boolean;
  /**
   * How long the signal hook waits for the queue to be delivered, in milliseconds.
   * @default 5000 (`DEFAULT_SHUTDOWN_TIMEOUT_MS`)
   */
  shutdownTimeoutMs?: number;
}

/** What a route handler gets for its request (`req.mbuzz`, `ctx.state.mbuzz`): the identity and `track()`. */
export type RequestContext = Pick<RequestTracking, 'visitorId' | 'sessionId' | 'track'>;

const UNTRACKED: RequestContext = Object.freeze({
  visitorId: undefined,
  sessionId: undefined,
  track: () => {},
});

/** What an adapter builds its middleware around, and what the middleware carries for the app. */
export interface NodeAdapter {
  /** The `@mbuzz/core` client: `track()` outside a request, `flush()`. */
  readonly client: MbuzzClient;
  /** Flush the queue (bounded by `timeoutMs`), stop timers and remove the signal hook. Never rejects. */
  close(options?: { timeoutMs?: number }): Promise<CloseResult>;
  /**
   * `close()` bounded by the options' `shutdownTimeoutMs`: what the signal hook does, and what an adapter
   * whose framework has its own close hook (Fastify's `onClose`) calls there. Never rejects.
   */
  shutdown(): Promise<CloseResult>;
  /** Sends an adapter's own failure to the logger and `onError` (see `createAdapterReporter`). */
  report(error: unknown): void;
  /**
   * Begins tracking one request and, for a navigation, hooks its response (`trackNodeResponse`). Returns
   * the request's context; if anything fails — `view` too, which is why it is a function — the failure is
   * reported and the context is a no-op one. Never throws.
   */
  trackRequest(view: () => RequestView, res: ServerResponse): RequestContext;
}

/**
 * The framework-neutral half of a Node middleware adapter: the client (with a keep-alive agent), the
 * tracking of each request and its response, the reporter for the adapter's own failures, and the
 * signal hook when `handleSignals` is set. The adapter only translates its request into a view.
 *
 * @example
 * ```ts
 * const { client, close, trackRequest } = createNodeAdapter(options, 'Express');
 * const middleware = (req, res, next) => {
 *   req.mbuzz ??= trackRequest(() => requestViewOf(req), res);
 *   next();
 * };
 * return Object.assign(middleware, { client, close });
 * ```
 */
export function createNodeAdapter(options: NodeAdapterOptions | undefined, adapterName: string): NodeAdapter {
  const {
    handleSignals = false,
    shutdownTimeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS,
    ...coreOptions
  } = options ?? {};
  const client = createClient(coreOptions);
  const removeSignalHook = handleSignals
    ? closeOnSignals((closeOptions) => client.close(closeOptions), shutdownTimeoutMs)
    : () => {};
  const report = createAdapterReporter(coreOptions, adapterName);
  const close = (closeOptions?: { timeoutMs?: number }) => {
    removeSignalHook();
    return client.close(closeOptions);
  };
  return {
    client,
    report,
    close,
    shutdown: () => close({ timeoutMs: shutdownTimeoutMs }),
    trackRequest(view, res) {
      let context = UNTRACKED;
      try {
        const tracking = client.begin(view());
        context = tracking;
        if (tracking.isNavigation) trackNodeResponse(res, tracking, report);
      } catch (error) {
        report(error);
      }
      return context;
    },
  };
}
