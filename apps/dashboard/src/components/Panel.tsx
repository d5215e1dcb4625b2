import type { ComponentChildren, JSX } from 'preact';

/** The error of a failed query: the server's `error` text and a Retry button. */
export function ErrorBox(props: { error: unknown; onRetry?: () => void }): JSX.Element {
  const message = props.error instanceof Error ? props.error.message : 'Something went wrong.';
  return (
    <div class="error" role="alert">
      <span>{message}</span>
      {props.onRetry && (
        <button type="button" onClick={props.onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

/** A titled block of the page; aria-busy while its query runs. */
export function Panel(props: {
  title?: string;
  busy: boolean;
  actions?: ComponentChildren;
  children: ComponentChildren;
  class?: string;
  labelId?: string;
}): JSX.Element {
  return (
    <section class={`panel ${props.class ?? ''}`.trim()} aria-busy={props.busy ? 'true' : 'false'}>
      {(props.title || props.actions) && (
        <div class="panel-head">
          {props.title && <h2 id={props.labelId}>{props.title}</h2>}
          {props.actions && <div class="panel-actions">{props.actions}</div>}
        </div>
      )}
      {props.children}
    </section>
  );
}
