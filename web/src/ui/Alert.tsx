import type { ReactNode } from 'react';
import { errorMessage } from '../api/client';

// A message box; errors are announced at once (role=alert), others politely.
export function Alert({ kind = 'error', children }: { kind?: 'error' | 'success' | 'info' | 'warning'; children: ReactNode }) {
  return (
    <div className={`alert alert--${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** Shows the French `detail` of any error, or nothing. */
export function ErrorAlert({ error }: { error: unknown }) {
  if (!error) return null;
  return <Alert kind="error">{errorMessage(error)}</Alert>;
}
