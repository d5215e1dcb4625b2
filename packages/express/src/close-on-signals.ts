import type { CloseResult } from '@mbuzz/core';

/** The signals a process manager (Kubernetes, systemd, Docker, Ctrl-C) sends to ask for a shutdown. */
const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

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
 */
export function closeOnSignals(
  close: (options: { timeoutMs: number }) => Promise<CloseResult>,
  timeoutMs: number,
): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    remove();
    const appHandlesSignal = process.listenerCount(signal) > 0;
    const keepAlive = setInterval(() => {}, 60_000);
    const done = () => {
      clearInterval(keepAlive);
      if (!appHandlesSignal) process.kill(process.pid, signal);
    };
    close({ timeoutMs }).then(done, done);
  };
  const remove = () => {
    for (const signal of SHUTDOWN_SIGNALS) process.off(signal, onSignal);
  };
  // First in line, so that the app's own listeners — `once` ones too — are still registered when we look.
  for (const signal of SHUTDOWN_SIGNALS) process.prependListener(signal, onSignal);
  return remove;
}
