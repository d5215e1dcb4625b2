import { buildCustomEvent } from '../events/build-event.js';
import { type MbuzzOptions, type ResolvedConfig, resolveOptions } from '../options/resolve-options.js';
import { createBatchQueue } from '../queue/batch-queue.js';
import { createPathSkipper } from '../rules/create-path-skipper.js';
import { createHttpTransport } from '../transport/http-transport.js';
import type { HttpPost } from '../transport/post-once.js';
import type { CloseResult, MbuzzClient, RequestTracking, RequestView, Transport } from '../types.js';
import { createReporter } from './create-reporter.js';
import { inertTracking } from './inert-tracking.js';
import { Tracking, type TrackingContext } from './request-tracking.js';

/** How a runtime entry (`@mbuzz/core/node`) plugs in its own HTTP plumbing. Internal. */
export interface RuntimeHooks {
  /**
   * The runtime's own HTTP client for the transport's attempts (Node: undici's `Dispatcher.request`
   * on a keep-alive agent), used when no `fetch` is given.
   */
  createPost?: () => { post: HttpPost; close?: () => unknown };
}

const EMPTY_CLOSE: CloseResult = Object.freeze({ sent: 0, dropped: 0, pending: 0 });

/**
 * Creates the mbuzz client an adapter wraps: `begin(view)` per request, `track()` for explicit
 * identities, `flush()` / `close()` at shutdown. No method throws or rejects; a missing or malformed API
 * key warns once and returns a no-op client.
 *
 * @example
 * ```ts
 * const mbuzz = createClient({ apiKey: process.env.MBUZZ_API_KEY });
 * const tracking = mbuzz.begin({ method: 'GET', url: 'https://shop.example/?utm_source=x', headers });
 * for (const cookie of tracking.cookies(200)) res.append('set-cookie', cookie.header);
 * tracking.end(200);
 * ```
 */
export function createClient(options?: MbuzzOptions): MbuzzClient {
  return createClientWith(options, {});
}

/** `createClient` with runtime hooks; the `/node` entry's `createClient` calls this. Internal. */
export function createClientWith(options: MbuzzOptions | undefined, hooks: RuntimeHooks): MbuzzClient {
  let config: ResolvedConfig;
  try {
    config = resolveOptions(options);
  } catch {
    config = resolveOptions({ enabled: false });
  }
  const report = createReporter(config.onError, config.logger);
  for (const warning of config.warnings) safeWarn(config, `[mbuzz] ${warning}`);
  if (!config.enabled) {
    if (config.disabledReason !== undefined) report('config', config.disabledReason);
    return noopClient;
  }
  try {
    return createLiveClient(config, hooks, report);
  } catch (cause) {
    report('internal', 'could not start; tracking is disabled', cause);
    return noopClient;
  }
}

function createLiveClient(
  config: ResolvedConfig,
  hooks: RuntimeHooks,
  report: ReturnType<typeof createReporter>,
): MbuzzClient {
  let closeRuntime: (() => unknown) | undefined;
  let transport: Transport;
  if (config.transport !== undefined) {
    transport = config.transport;
  } else {
    // A fetch the user gave wins (and is what fetch interceptors such as msw see).
    const runtime = config.fetch === undefined ? hooks.createPost?.() : undefined;
    closeRuntime = runtime?.close;
    transport = createHttpTransport({
      apiUrl: config.apiUrl,
      apiKey: config.apiKey as string,
      post: runtime?.post,
      fetch: config.fetch,
      requestTimeoutMs: config.requestTimeoutMs,
      maxRetries: config.maxRetries,
    });
  }

  const queue = createBatchQueue({
    transport,
    batchSize: config.batchSize,
    flushIntervalMs: config.flushIntervalMs,
    maxQueueSize: config.maxQueueSize,
    maxQueueBytes: config.maxQueueBytes,
    maxBatchBytes: config.maxBatchBytes,
    onDrop: config.onDrop,
    onError: config.onError,
    logger: config.logger,
  });

  const context: TrackingContext = {
    enqueue: queue.enqueue,
    enqueueJson: queue.enqueueJson,
    report,
    isSkippedPath: createPathSkipper(config),
  };

  return {
    enabled: true,

    begin(view: RequestView): RequestTracking {
      try {
        if (!isRequestView(view)) {
          report(
            'rejected',
            'begin() needs a request view { method, url, headers }; not tracking this request',
          );
          return inertTracking;
        }
        return new Tracking(context, view);
      } catch (cause) {
        report('internal', 'begin() failed; not tracking this request', cause);
        return inertTracking;
      }
    },

    track(input) {
      try {
        if (input === null || typeof input !== 'object') {
          report('rejected', 'track() needs { eventType, visitorId, … }; dropped');
          return;
        }
        const event = buildCustomEvent({
          eventType: input.eventType,
          visitorId: input.visitorId,
          sessionId: input.sessionId,
          properties: input.properties,
          timestamp: input.timestamp,
        });
        if (typeof event === 'string') report('rejected', `track(): ${event}; dropped`);
        else queue.enqueue(event);
      } catch (cause) {
        report('internal', 'track() failed', cause);
      }
    },

    flush() {
      try {
        return queue.flush().catch((cause) => report('internal', 'flush() failed', cause));
      } catch (cause) {
        report('internal', 'flush() failed', cause);
        return Promise.resolve();
      }
    },

    async close(closeOptions) {
      let result: CloseResult = EMPTY_CLOSE;
      try {
        result = await queue.close(closeOptions);
      } catch (cause) {
        report('internal', 'close() failed', cause);
      }
      try {
        await closeRuntime?.();
      } catch {}
      closeRuntime = undefined;
      return result;
    },
  };
}

function isRequestView(view: unknown): view is RequestView {
  if (view === null || typeof view !== 'object') return false;
  const { method, url, headers } = view as Partial<RequestView>;
  return (
    typeof method === 'string' && typeof url === 'string' && headers !== null && typeof headers === 'object'
  );
}

function safeWarn(config: ResolvedConfig, message: string): void {
  try {
    config.logger.warn(message);
  } catch {}
}

/** Disabled or misconfigured: every call is a cheap no-op. */
const noopClient: MbuzzClient = Object.freeze({
  enabled: false,
  begin: () => inertTracking,
  track: () => {},
  flush: () => Promise.resolve(),
  close: () => Promise.resolve(EMPTY_CLOSE),
});
