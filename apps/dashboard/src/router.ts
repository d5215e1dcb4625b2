/** Routing by path with history.pushState; the view state lives in the query string. */
import type { JSX } from 'preact';
import { createElement } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export interface Location {
  path: string;
  search: URLSearchParams;
  /** path + "?" + query, as it is in the address bar. */
  href: string;
}

const listeners = new Set<() => void>();

function current(): Location {
  return {
    path: window.location.pathname,
    search: new URLSearchParams(window.location.search),
    href: window.location.pathname + window.location.search,
  };
}

window.addEventListener('popstate', () => {
  for (const listener of listeners) listener();
});

export function navigate(href: string, options: { replace?: boolean } = {}): void {
  if (href === window.location.pathname + window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  for (const listener of listeners) listener();
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    listeners.add(update);
    update();
    return () => {
      listeners.delete(update);
    };
  }, []);
  return location;
}

/** An <a> that navigates in the page on a plain left click and stays a real link for the rest. */
export function Link(props: JSX.HTMLAttributes<HTMLAnchorElement> & { href: string }): JSX.Element {
  const { onClick, ...rest } = props;
  return createElement('a', {
    ...rest,
    onClick: (event: JSX.TargetedMouseEvent<HTMLAnchorElement>) => {
      if (typeof onClick === 'function') onClick(event);
      if (event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      navigate(props.href);
    },
  });
}

/** The login page's return URL: only a path of this site. */
export function safeReturnPath(value: string | null): string {
  if (!value?.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  if (value.startsWith('/login')) return '/';
  return value;
}
