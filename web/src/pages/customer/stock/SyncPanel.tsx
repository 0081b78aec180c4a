import { useState } from 'react';
import { api, ApiError } from '../../../api/client';
import type { StockConnection, SyncReport } from '../../../api/types';
import { connectionName } from './providers';
import { Alert, Button, ErrorAlert, formatDateTime, Loading, useAsync } from '../../../ui';

const SYNC_STATUS: Record<string, string> = {
  succeeded: 'Réussie', completed_with_errors: 'Terminée avec des erreurs', failed: 'Échouée',
};

/** 404 means "nothing yet", not an error. */
async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

// The account's stock connection (set by STVA), its last sync and "sync now".
export function SyncPanel({ onSynced }: { onSynced: () => void }) {
  const state = useAsync(async (signal) => {
    const [connection, latest] = await Promise.all([
      orNull(api<StockConnection>('/api/stock/connection', { signal })),
      orNull(api<SyncReport>('/api/stock/syncs/latest', { signal })),
    ]);
    return { connection, latest };
  }, []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function syncNow() {
    setBusy(true);
    setError(null);
    try {
      const report = await api<SyncReport | undefined>('/api/stock/sync', { method: 'POST' });
      if (report && state.data) state.setData({ ...state.data, latest: report });
      else state.reload();
      onSynced();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (state.loading) return <Loading label="Chargement de la synchronisation…" />;
  if (state.error) return <ErrorAlert error={state.error} />;
  const { connection, latest } = state.data!;
  if (!connection) {
    return (
      <p className="muted">
        Aucun logiciel de stock n'est relié à votre compte : saisissez vos véhicules ou importez un fichier CSV.
        Pour relier votre logiciel (RadarVO, PlanetVO, Cardiff, V12…), contactez votre gestionnaire STVA.
      </p>
    );
  }
  return (
    <div className="stack">
      <p>Source : <strong>{connectionName(connection)}</strong></p>
      {latest ? (
        <>
          <dl className="details">
            <dt>Dernière synchronisation</dt><dd>{formatDateTime(latest.finished_at)}</dd>
            <dt>Résultat</dt><dd><span className={`badge badge--${latest.status}`}>{SYNC_STATUS[latest.status] ?? latest.status}</span></dd>
            <dt>Véhicules</dt>
            <dd>{latest.created} ajoutés, {latest.updated} mis à jour, {latest.unchanged} inchangés, {latest.removed} retirés</dd>
          </dl>
          {latest.message && <Alert kind="warning">{latest.message}</Alert>}
          {latest.errors.length > 0 && (
            <details>
              <summary>{latest.errors_total || latest.errors.length} enregistrement(s) refusé(s)</summary>
              <ul>{latest.errors.map((e, i) => <li key={i}><strong>{e.record}</strong> : {e.reason}</li>)}</ul>
            </details>
          )}
        </>
      ) : (
        <p className="muted">Aucune synchronisation n'a encore eu lieu.</p>
      )}
      <ErrorAlert error={error} />
      <Button variant="primary" busy={busy} onClick={() => void syncNow()}>Synchroniser maintenant</Button>
    </div>
  );
}
