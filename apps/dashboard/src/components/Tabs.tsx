import type { ComponentChildren, JSX } from 'preact';
import { useRef } from 'preact/hooks';

export interface Tab {
  id: string;
  label: string;
}

/**
 * WAI-ARIA tabs: buttons with role="tab" in a role="tablist", one in the tab order (the selected one),
 * arrow keys, Home and End move between them and select.
 */
export function Tabs(props: {
  label: string;
  tabs: Tab[];
  selected: string;
  onSelect: (id: string) => void;
  idPrefix: string;
  children: ComponentChildren;
}): JSX.Element {
  const list = useRef<HTMLDivElement>(null);
  const index = Math.max(
    0,
    props.tabs.findIndex((t) => t.id === props.selected),
  );
  const onKeyDown = (event: KeyboardEvent) => {
    let next = -1;
    if (event.key === 'ArrowRight' || event.key === 'ArrowDown') next = (index + 1) % props.tabs.length;
    else if (event.key === 'ArrowLeft' || event.key === 'ArrowUp')
      next = (index - 1 + props.tabs.length) % props.tabs.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = props.tabs.length - 1;
    if (next < 0) return;
    event.preventDefault();
    const tab = props.tabs[next];
    if (!tab) return;
    props.onSelect(tab.id);
    list.current?.querySelectorAll<HTMLButtonElement>('[role="tab"]')[next]?.focus();
  };
  const selected = props.tabs[index];
  return (
    <div class="tabs">
      <div role="tablist" aria-label={props.label} class="tablist" ref={list} onKeyDown={onKeyDown}>
        {props.tabs.map((tab) => {
          const isSelected = tab.id === selected?.id;
          return (
            <button
              type="button"
              role="tab"
              key={tab.id}
              id={`${props.idPrefix}-tab-${tab.id}`}
              aria-selected={isSelected ? 'true' : 'false'}
              aria-controls={`${props.idPrefix}-panel`}
              tabIndex={isSelected ? 0 : -1}
              onClick={() => props.onSelect(tab.id)}
            >
              {tab.label}
            </button>
          );
        })}
      </div>
      <div
        role="tabpanel"
        id={`${props.idPrefix}-panel`}
        aria-labelledby={`${props.idPrefix}-tab-${selected?.id ?? ''}`}
        class="tabpanel"
      >
        {props.children}
      </div>
    </div>
  );
}
