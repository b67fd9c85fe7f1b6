import { useEffect, useRef, useState } from 'preact/hooks';

export interface ReportState<T> {
  /** The last answer; kept on screen while the next one loads. */
  data: T | null;
  loading: boolean;
  error: unknown;
  reload(): void;
}

/** A report fetched whenever `key` (its query) changes; answers for an outdated query are dropped. */
export function useReport<T>(key: string, fetch: () => Promise<T>): ReportState<T> {
  const [data, setData] = useState<T | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [reloads, setReloads] = useState(0);
  const seq = useRef(0);
  const fetchRef = useRef(fetch);
  fetchRef.current = fetch;

  useEffect(() => {
    const mine = ++seq.current;
    setLoading(true);
    setError(null);
    fetchRef.current().then(
      (d) => {
        if (mine !== seq.current) return;
        setData(d);
        setLoading(false);
      },
      (err) => {
        if (mine !== seq.current) return;
        setError(err);
        setData(null);
        setLoading(false);
      },
    );
  }, [key, reloads]);
  useEffect(
    () => () => {
      seq.current++;
    },
    [],
  );

  return { data, loading, error, reload: () => setReloads((n) => n + 1) };
}
