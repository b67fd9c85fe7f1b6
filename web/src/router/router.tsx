import type { AnchorHTMLAttributes, TargetedMouseEvent } from 'preact';
import { createStore, useStore } from '../session/store';

/** A tiny history router: the service answers every non-API path with index.html. */
export const pathStore = createStore<string>(location.pathname);

window.addEventListener('popstate', () => pathStore.set(location.pathname));

export function navigate(path: string, opts: { replace?: boolean } = {}) {
  if (path === location.pathname) return;
  if (opts.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  pathStore.set(location.pathname);
  window.scrollTo(0, 0);
}

export const usePath = () => useStore(pathStore);

/** Matches `/contacts/:id`-style patterns; returns the named parameters or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const a = path.split('/').filter(Boolean);
  if (p.length !== a.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i]!;
    const val = a[i]!;
    if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(val);
    else if (seg !== val) return null;
  }
  return params;
}

/** An <a> that navigates without reloading the page (and still opens in a new tab with Ctrl/⌘). */
export function Link(props: AnchorHTMLAttributes & { href: string }) {
  const onClick = (e: TargetedMouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.href);
  };
  return <a {...props} onClick={onClick} />;
}
