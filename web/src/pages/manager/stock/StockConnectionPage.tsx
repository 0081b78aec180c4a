// The stock connection of one customer account: which tool, and its settings.
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api, ApiError, errorMessage } from '../../../api/client';
import type { Account } from '../../../api/types';
import { Alert, Button, ErrorAlert, Loading, PageHeader, SelectField, formatDateTime, useAsync } from '../../../ui';
import { ConnectionFields } from './ConnectionFields';
import { SyncPanel } from './SyncPanel';
import {
  EMPTY_FORM, PROVIDERS, bodyFromForm, configuredSecrets, formFromView, formProblems,
  type ConnectionForm, type ConnectionView, type ProviderChoice,
} from './stockProviders';

/** The API checks the connector's settings as a whole (field "settings"): its message says what is wrong. */
function settingsError(err: unknown): string {
  if (err instanceof ApiError && err.errors.length > 0) return err.errors.map((e) => e.message).join(' ');
  return errorMessage(err);
}

export function StockConnectionPage() {
  const { accountId = '' } = useParams();
  const account = useAsync((signal) => api<Account>(`/api/accounts/${encodeURIComponent(accountId)}`, { signal }), [accountId]);
  const connection = useAsync(async (signal) => {
    try {
      return await api<ConnectionView>(`/api/stock/connection?account_id=${encodeURIComponent(accountId)}`, { signal });
    } catch (err) {
      // 404: nothing configured yet.
      if (err instanceof ApiError && err.status === 404 && err.code === 'not_found') return null;
      throw err;
    }
  }, [accountId]);

  if (account.loading || connection.loading) return <Loading label="Chargement de la connexion de stock…" />;
  if (account.error || connection.error || !account.data) {
    return (
      <>
        <ErrorAlert error={account.error ?? connection.error} />
        <p><Link to="/gestion/comptes">Retour aux comptes clients</Link></p>
      </>
    );
  }
  return (
    <>
      <p className="mgr-back"><Link to={`/gestion/comptes/${encodeURIComponent(accountId)}`}>← {account.data.name}</Link></p>
      <PageHeader title="Connexion de stock" subtitle={`D'où le portail lit le stock de ${account.data.name}.`} />
      <ConnectionEditor
        key={accountId}
        accountId={accountId}
        view={connection.data ?? null}
        onSaved={(v) => connection.setData(v)}
      />
      <SyncPanel accountId={accountId} connected={connection.data != null} />
    </>
  );
}

function ConnectionEditor({ accountId, view, onSaved }: {
  accountId: string;
  view: ConnectionView | null;
  onSaved: (view: ConnectionView) => void;
}) {
  const [form, setForm] = useState<ConnectionForm>(view ? formFromView(view) : EMPTY_FORM);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const stored = configuredSecrets(view);
  const storedProvider = view ? formFromView(view).provider : null;

  const set = (patch: Partial<ConnectionForm>) => {
    setSaved(false);
    setForm((f) => ({ ...f, ...patch }));
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    setError(null);
    const found = formProblems(form, stored, storedProvider === form.provider);
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const next = await api<ConnectionView>(`/api/accounts/${encodeURIComponent(accountId)}/stock-connection`, {
        method: 'PUT',
        body: bodyFromForm(form),
      });
      setSaved(true);
      // The secrets are stored now; the fields go back to blank ("défini").
      setForm((f) => ({ ...f, api_key: '', password: '' }));
      onSaved(next);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const hint = PROVIDERS.find((p) => p.value === form.provider)?.hint;
  return (
    <form className="card mgr-form" onSubmit={submit} noValidate aria-labelledby="connection-title">
      <h2 id="connection-title">Outil de stock</h2>
      {view ? (
        <p className="muted">Enregistrée le {formatDateTime(view.updated_at)} (source des véhicules : {view.source}).</p>
      ) : (
        <Alert kind="info">Aucune connexion n'est configurée : le client ne peut saisir son stock qu'à la main ou par fichier CSV.</Alert>
      )}
      {saved && <Alert kind="success">Connexion enregistrée.</Alert>}
      {error != null && <Alert kind="error">{settingsError(error)}</Alert>}
      <SelectField
        label="Outil"
        value={form.provider}
        onChange={(e) => set({ provider: e.target.value as ProviderChoice })}
        hint={hint}
      >
        {PROVIDERS.map((p) => (
          <option key={p.value} value={p.value}>{p.label}</option>
        ))}
      </SelectField>
      <ConnectionFields form={form} set={set} problems={problems} stored={storedProvider === form.provider ? stored : new Set()} />
      <Button type="submit" variant="primary" busy={busy}>Enregistrer la connexion</Button>
    </form>
  );
}
