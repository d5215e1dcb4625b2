import type { CloseResult } from '../types.js';

/** The signals a process manager (Kubernetes, systemd, Docker, Ctrl-C) sends to ask for a shutdown. */
const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Marks mbuzz's own signal listeners, and holds the closes in flight, process-wide: several middleware
 * instances (even of different mbuzz adapters) must neither take each other for the app's handler nor
 * re-raise the signal while another one is still flushing.
 */
const HOOK = Symbol.for('mbuzz.signal-hook');
const registry = globalThis as { [HOOK]?: { closing: number } };
const shared = registry[HOOK] ?? { closing: 0 };
registry[HOOK] = shared;

/**
 * On SIGTERM or SIGINT, closes the client (flushing the queue, bounded by `timeoutMs`), then lets the
 * process end exactly as it would have without mbuzz:
 * - if the app listens for that signal itself, its own listener decides how to exit (we never call
 *   `process.exit`); a ref'd timer keeps the process alive until the flush settles, so a handler that only
 *   closes the server still gets the queue delivered;
 * - if nobody else listens, the signal is re-raised once the flush settles, so Node's default action
 *   applies (the process ends by that signal, exit status 128 + n, as before).
 * The hook fires once: a second signal during the flush gets the default (or the app's) behaviour, so a
 * second Ctrl-C still kills at once. Returns a function that removes the hook.
 *
 * @example
 * ```ts
 * const client = createClient();
 * const removeHook = closeOnSignals((options) => client.close(options), 5000);
 * ```
 */
export function closeOnSignals(
  close: (options: { timeoutMs: number }) => Promise<CloseResult>,
  timeoutMs: number,
): () => void {
  const onSignal = Object.assign(
    (signal: NodeJS.Signals) => {
      remove();
      const appHandlesSignal = process.listeners(signal).some((listener) => !(HOOK in listener));
      shared.closing++;
      const keepAlive = setInterval(() => {}, 60_000);
      const done = () => {
        clearInterval(keepAlive);
        shared.closing--;
        if (shared.closing === 0 && !appHandlesSignal) process.kill(process.pid, signal);
      };
      close({ timeoutMs }).then(done, done);
    },
    { [HOOK]: true },
  );
  const remove = () => {
    for (const signal of SHUTDOWN_SIGNALS) process.off(signal, onSignal);
  };
  // First in line, so that the app's own listeners — `once` ones too — are still registered when we look.
  for (const signal of SHUTDOWN_SIGNALS) process.prependListener(signal, onSignal);
  return remove;
}
