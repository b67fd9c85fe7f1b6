import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Page } from '../api/types';

export interface Paged<T> {
  items: T[];
  loading: boolean;
  error: unknown;
  hasMore: boolean;
  loadMore(): void;
  reload(): void;
  /** Puts a freshly created or changed item in place without reloading. */
  upsert(item: T, where?: 'start' | 'end'): void;
}

/**
 * A cursor-paged list (`{items, nextCursor}`): the first page loads whenever `key` changes, "Load more"
 * appends the next one. Answers for an outdated key are dropped.
 */
export function usePaged<T extends { id: string }>(key: string | null, fetchPage: (cursor: string | null) => Promise<Page<T>>): Paged<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [reloads, setReloads] = useState(0);
  const generation = useRef(0);
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;

  const load = useCallback(async (from: string | null, append: boolean) => {
    const gen = generation.current;
    setLoading(true);
    setError(null);
    try {
      const page = await fetchRef.current(from);
      if (gen !== generation.current) return;
      setItems((prev) => (append ? [...prev, ...page.items.filter((i) => !prev.some((p) => p.id === i.id))] : page.items));
      setCursor(page.nextCursor);
    } catch (err) {
      if (gen === generation.current) setError(err);
    } finally {
      if (gen === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    generation.current += 1;
    setItems([]);
    setCursor(null);
    if (key !== null) void load(null, false);
  }, [key, reloads, load]);

  return {
    items,
    loading,
    error,
    hasMore: cursor !== null,
    loadMore: () => {
      if (cursor && !loading) void load(cursor, true);
    },
    reload: () => setReloads((n) => n + 1),
    upsert: (item, where = 'start') =>
      setItems((prev) => {
        const i = prev.findIndex((p) => p.id === item.id);
        if (i >= 0) return prev.map((p) => (p.id === item.id ? item : p));
        return where === 'start' ? [item, ...prev] : [...prev, item];
      }),
  };
}
