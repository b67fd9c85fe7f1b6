import { useEffect, useRef, useState } from 'preact/hooks';
import { useOnConnected } from '../realtime/hooks';

const REFRESH_DEBOUNCE_MS = 300;

export interface Loader<T> {
  /** Null until the first answer. */
  data: T | null;
  error: unknown;
  /** Fetches now. */
  reload(): Promise<void>;
  /** Fetches shortly, once for a burst of calls (socket events). */
  schedule(): void;
  /** Changes the shown data right away (an item removed after an action), then re-fetches shortly. */
  set(update: (prev: T | null) => T | null): void;
}

/**
 * Data fetched on mount, whenever `key` changes, and (debounced) on every socket (re)connect, since events
 * missed while offline are not replayed. Answers older than the latest request are dropped; the previous
 * data stays on screen while a refresh is in flight.
 */
export function useLoader<T>(fetch: () => Promise<T>, key: string | number = 0): Loader<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const seq = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const fetchRef = useRef(fetch);
  fetchRef.current = fetch;

  const reload = async () => {
    const mine = ++seq.current;
    try {
      const d = await fetchRef.current();
      if (mine !== seq.current) return;
      setData(d);
      setError(null);
    } catch (err) {
      if (mine === seq.current) setError(err);
    }
  };
  const schedule = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void reload(), REFRESH_DEBOUNCE_MS);
  };
  useEffect(() => {
    clearTimeout(timer.current);
    void reload();
  }, [key]);
  useEffect(
    () => () => {
      clearTimeout(timer.current);
      seq.current++;
    },
    [],
  );
  useOnConnected(schedule);
  return {
    data,
    error,
    reload,
    schedule,
    set: (update) => {
      // A fetch in flight may predate the change: drop it and ask again.
      seq.current++;
      setData(update);
      schedule();
    },
  };
}
