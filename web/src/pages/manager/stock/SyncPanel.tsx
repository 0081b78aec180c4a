// The account's latest stock sync, and a button to run one now.
import { useState } from 'react';
import { api, ApiError } from '../../../api/client';
import type { SyncReport } from '../../../api/types';
import { Alert, Button, ErrorAlert, Loading, formatDateTime, useAsync } from '../../../ui';
import { SYNC_STATUS_LABELS } from '../accounts/accountLabels';

export function SyncPanel({ accountId, connected }: { accountId: string; connected: boolean }) {
  const q = `?account_id=${encodeURIComponent(accountId)}`;
  const latest = useAsync(async (signal) => {
    try {
      return await api<SyncReport>(`/api/stock/syncs/latest${q}`, { signal });
    } catch (err) {
      // 404: no sync yet, which is not an error here.
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  }, [accountId]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function syncNow() {
    setBusy(true);
    setError(null);
    try {
      latest.setData(await api<SyncReport>(`/api/stock/sync${q}`, { method: 'POST' }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const r = latest.data;
  return (
    <section className="card" aria-labelledby="sync-title">
      <h2 id="sync-title">Synchronisation</h2>
      <p className="muted">Le stock est synchronisé toutes les heures ; lancez-la maintenant après un changement de connexion.</p>
      <ErrorAlert error={error ?? latest.error} />
      {latest.loading ? (
        <Loading label="Chargement de la dernière synchronisation…" />
      ) : r ? (
        <div aria-live="polite">
          <Alert kind={r.status === 'succeeded' ? 'success' : r.status === 'failed' ? 'error' : 'warning'}>
            {SYNC_STATUS_LABELS[r.status] ?? r.status} le {formatDateTime(r.finished_at)}
            {r.message ? ` : ${r.message}` : ''}
          </Alert>
          <dl className="mgr-facts">
            <div><dt>Créés</dt><dd>{r.created}</dd></div>
            <div><dt>Mis à jour</dt><dd>{r.updated}</dd></div>
            <div><dt>Inchangés</dt><dd>{r.unchanged}</dd></div>
            <div><dt>Retirés</dt><dd>{r.removed}</dd></div>
            <div><dt>Gardés (en commande)</dt><dd>{r.kept_in_order}</dd></div>
            <div><dt>Erreurs</dt><dd>{r.errors_total}</dd></div>
          </dl>
          {r.errors.length > 0 && (
            <details>
              <summary>Voir les erreurs ({r.errors_total})</summary>
              <ul>
                {r.errors.map((e, i) => (
                  <li key={i}><strong>{e.record}</strong> : {e.reason}</li>
                ))}
              </ul>
            </details>
          )}
        </div>
      ) : (
        <p>Aucune synchronisation n'a encore eu lieu.</p>
      )}
      <Button onClick={syncNow} busy={busy} disabled={!connected}>Synchroniser maintenant</Button>
      {!connected && <p className="field__hint">Enregistrez d'abord une connexion.</p>}
    </section>
  );
}
