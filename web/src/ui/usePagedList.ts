import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import type { Page } from '../api/types';

// A cursor-paginated list: first page on load (and when the URL changes), "Charger plus" after.
export interface PagedList<T> {
  items: T[];
  loading: boolean;
  loadingMore: boolean;
  error: unknown;
  hasMore: boolean;
  loadMore: () => void;
  reload: () => void;
  setItems: (update: (items: T[]) => T[]) => void;
}

function withCursor(url: string, cursor: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`;
}

export function usePagedList<T>(url: string | null): PagedList<T> {
  const [items, setItemsState] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [tick, setTick] = useState(0);
  const generation = useRef(0);

  useEffect(() => {
    if (url === null) return;
    const gen = ++generation.current;
    const controller = new AbortController();
    setLoading(true);
    setError(undefined);
    api<Page<T>>(url, { signal: controller.signal }).then(
      (page) => {
        if (gen !== generation.current) return;
        setItemsState(page.items);
        setCursor(page.next_cursor);
        setLoading(false);
      },
      (err) => {
        if (gen !== generation.current || controller.signal.aborted) return;
        setError(err);
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [url, tick]);

  const loadMore = useCallback(() => {
    if (!cursor || url === null) return;
    const gen = generation.current;
    setLoadingMore(true);
    api<Page<T>>(withCursor(url, cursor)).then(
      (page) => {
        if (gen !== generation.current) return;
        setItemsState((prev) => [...prev, ...page.items]);
        setCursor(page.next_cursor);
        setLoadingMore(false);
      },
      (err) => {
        setError(err);
        setLoadingMore(false);
      },
    );
  }, [cursor, url]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const setItems = useCallback((update: (items: T[]) => T[]) => setItemsState(update), []);
  return { items, loading, loadingMore, error, hasMore: cursor !== null, loadMore, reload, setItems };
}
