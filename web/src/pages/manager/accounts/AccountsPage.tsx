// "Comptes clients": the overview of every customer account, and account creation.
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { AccountOverview } from '../../../api/types';
import { Button, DataTable, Empty, ErrorAlert, LoadMore, Loading, PageHeader, formatDate, formatDateTime, usePagedList, type Column } from '../../../ui';
import { CreateAccountForm } from './CreateAccountForm';
import { SYNC_STATUS_LABELS, providerLabel } from './accountLabels';

const columns: Column<AccountOverview>[] = [
  {
    header: 'Compte',
    cell: (a) => (
      <>
        <Link to={`/gestion/comptes/${a.id}`}>{a.name}</Link>
        {a.siret && <span className="mgr-sub">SIRET {a.siret}</span>}
      </>
    ),
  },
  {
    header: 'Utilisateurs',
    cell: (a) => (
      <>
        {a.users.active} actif{a.users.active > 1 ? 's' : ''}
        {a.users.invited > 0 && <span className="mgr-sub">{a.users.invited} invitation{a.users.invited > 1 ? 's' : ''} en attente</span>}
        {a.users.disabled > 0 && <span className="mgr-sub">{a.users.disabled} désactivé{a.users.disabled > 1 ? 's' : ''}</span>}
      </>
    ),
  },
  {
    header: 'Stock',
    className: 'mgr-wide-only',
    cell: (a) =>
      a.stock_connection ? (
        <>
          {providerLabel(a.stock_connection.provider)}
          {a.last_sync && (
            <span className="mgr-sub">
              Synchro{' '}
              {a.last_sync.status
                ? (SYNC_STATUS_LABELS[a.last_sync.status]?.toLowerCase() ?? a.last_sync.status)
                : 'en attente'}{' '}
              le {formatDateTime(a.last_sync.finished_at)}
            </span>
          )}
        </>
      ) : (
        <span className="muted">Aucune connexion</span>
      ),
  },
  {
    header: 'Commandes',
    cell: (a) => (
      <>
        {a.orders.count_capped ? `${a.orders.count}+` : a.orders.count}
        {a.orders.last_order_at && <span className="mgr-sub">Dernière le {formatDate(a.orders.last_order_at)}</span>}
      </>
    ),
  },
  { header: 'Créé le', className: 'mgr-wide-only', cell: (a) => formatDate(a.created_at) },
];

export function AccountsPage() {
  const accounts = usePagedList<AccountOverview>('/api/accounts');
  const [creating, setCreating] = useState(false);
  const navigate = useNavigate();
  // With no account yet, creating one is the only thing to do: open the form.
  const noAccount = !accounts.loading && !accounts.error && accounts.items.length === 0;
  const showForm = creating || noAccount;

  return (
    <>
      <PageHeader
        title="Comptes clients"
        subtitle="Les comptes des clients, leurs utilisateurs et leur connexion de stock."
        actions={
          !noAccount && (
            <Button variant="primary" aria-expanded={creating} aria-controls="new-account" onClick={() => setCreating((c) => !c)}>
              {creating ? 'Fermer' : 'Nouveau compte'}
            </Button>
          )
        }
      />
      {showForm && (
        <div id="new-account">
          <CreateAccountForm onCreated={(a) => navigate(`/gestion/comptes/${a.id}`, { state: { created: true } })} />
        </div>
      )}
      <ErrorAlert error={accounts.error} />
      {accounts.loading ? (
        <Loading label="Chargement des comptes…" />
      ) : accounts.items.length === 0 ? (
        !accounts.error && (
          <Empty title="Aucun compte client pour l'instant.">
            Créez le premier compte ci-dessus, puis invitez son utilisateur groupe.
          </Empty>
        )
      ) : (
        <>
          <DataTable caption="Comptes clients" columns={columns} rows={accounts.items} rowKey={(a) => a.id} />
          <LoadMore hasMore={accounts.hasMore} loading={accounts.loadingMore} onClick={accounts.loadMore} />
        </>
      )}
    </>
  );
}
