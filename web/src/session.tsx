import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, setUnauthorizedHandler } from './api/client';
import type { Me } from './api/types';

// The signed-in user, read from GET /api/me. The session itself is the HttpOnly cookie.
export interface Session {
  me: Me | null;
  /** True until the first /api/me answer. */
  loading: boolean;
  refresh: () => Promise<Me | null>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);
const REFRESH_EVERY_MS = 15 * 60 * 1000;

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);

  const refresh = useCallback(async () => {
    try {
      const user = await api<Me>('/api/me');
      setMe(user);
      return user;
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) console.warn('GET /api/me', e);
      setMe(null);
      return null;
    } finally {
      setLoading(false);
    }
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api<void>('/api/auth/logout', { method: 'POST' });
    } catch {
      // Signed out anyway from the browser's point of view.
    }
    setMe(null);
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // Sessions last an hour: renew the cookie while the portal stays open (a long wizard).
  useEffect(() => {
    if (!me) return;
    const timer = setInterval(() => {
      api('/api/auth/refresh', { method: 'POST' }).catch(() => undefined);
    }, REFRESH_EVERY_MS);
    return () => clearInterval(timer);
  }, [me]);

  // An expired session on any request brings the user back to the sign-in page.
  useEffect(() => {
    setUnauthorizedHandler(() => setMe(null));
    return () => setUnauthorizedHandler(null);
  }, []);

  const value = useMemo(() => ({ me, loading, refresh, signOut }), [me, loading, refresh, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
