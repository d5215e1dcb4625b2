import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ErrorBox } from './Panel.js';

/** "Export CSV": makes the file (usually from POST /query with Accept: text/csv) and downloads it. */
export function ExportCsv(props: { make: () => Promise<void>; disabled?: boolean }): JSX.Element {
  const [state, setState] = useState<{ running: boolean; error: unknown }>({ running: false, error: null });
  const run = async () => {
    setState({ running: true, error: null });
    try {
      await props.make();
      setState({ running: false, error: null });
    } catch (error) {
      setState({ running: false, error });
    }
  };
  return (
    <span class="export">
      <button type="button" class="secondary" onClick={run} disabled={props.disabled || state.running}>
        Export CSV
      </button>
      {state.error !== null && <ErrorBox error={state.error} onRetry={run} />}
    </span>
  );
}
