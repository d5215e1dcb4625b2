import type { ComponentChildren, JSX } from 'preact';

/** A table that scrolls sideways on a narrow screen; focusable so a keyboard can scroll it too. */
export function TableScroll(props: { label: string; children: ComponentChildren }): JSX.Element {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1).
    <section class="table-scroll" aria-label={props.label} tabIndex={0}>
      {props.children}
    </section>
  );
}
