// One customer account: its details, its users (invite, resend, disable),
// and links to its orders and its stock connection.
import { useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { api } from '../../../api/client';
import type { Account, User } from '../../../api/types';
import { Alert, DataTable, Empty, ErrorAlert, LoadMore, Loading, PageHeader, formatDate, formatDateTime, useAsync, usePagedList, type Column } from '../../../ui';
import { InviteUserForm } from './InviteUserForm';
import { UserActions } from './UserActions';
import { ROLE_LABELS, USER_STATUS_LABELS } from './accountLabels';

export function AccountDetailPage() {
  const { accountId = '' } = useParams();
  const location = useLocation();
  const justCreated = (location.state as { created?: boolean } | null)?.created === true;
  const account = useAsync((signal) => api<Account>(`/api/accounts/${encodeURIComponent(accountId)}`, { signal }), [accountId]);
  const users = usePagedList<User>(`/api/accounts/${encodeURIComponent(accountId)}/users`);
  const [notice, setNotice] = useState<string | null>(null);

  function replaceUser(user: User, message: string) {
    users.setItems((items) => items.map((u) => (u.id === user.id ? user : u)));
    setNotice(message);
  }

  const columns: Column<User>[] = [
    {
      header: 'Utilisateur',
      cell: (u) => (
        <>
          {u.name}
          <span className="mgr-sub">{u.email}</span>
        </>
      ),
    },
    { header: 'Rôle', cell: (u) => ROLE_LABELS[u.role] },
    { header: 'État', cell: (u) => <span className={`badge badge--${u.status}`}>{USER_STATUS_LABELS[u.status]}</span> },
    { header: 'Dernière connexion', className: 'mgr-wide-only', cell: (u) => (u.last_login_at ? formatDateTime(u.last_login_at) : <span className="muted">Jamais</span>) },
    { header: 'Actions', cell: (u) => <UserActions user={u} onChanged={replaceUser} /> },
  ];

  if (account.loading) return <Loading label="Chargement du compte…" />;
  if (account.error || !account.data) {
    return (
      <>
        <ErrorAlert error={account.error} />
        <p><Link to="/gestion/comptes">Retour aux comptes clients</Link></p>
      </>
    );
  }
  const a = account.data;
  const pending = users.items.filter((u) => u.status === 'invited').length;

  return (
    <>
      <p className="mgr-back"><Link to="/gestion/comptes">← Comptes clients</Link></p>
      <PageHeader title={a.name} subtitle={`Compte client créé le ${formatDate(a.created_at)}`} />
      {justCreated && <Alert kind="success">Compte créé. Invitez maintenant son premier utilisateur groupe.</Alert>}
      <dl className="mgr-facts">
        <div><dt>SIRET</dt><dd>{a.siret ?? '—'}</dd></div>
        <div><dt>E-mail de facturation</dt><dd>{a.billing_email ?? '—'}</dd></div>
      </dl>
      <ul className="mgr-links">
        <li><Link className="btn btn--secondary" to={`/gestion/commandes?account_id=${encodeURIComponent(a.id)}`}>Commandes du compte</Link></li>
        <li><Link className="btn btn--secondary" to={`/gestion/comptes/${encodeURIComponent(a.id)}/stock`}>Connexion de stock</Link></li>
      </ul>

      <section aria-labelledby="users-title" className="mgr-section">
        <h2 id="users-title">Utilisateurs</h2>
        {notice && <Alert kind="success">{notice}</Alert>}
        {pending > 0 && (
          <p className="muted">
            {pending} invitation{pending > 1 ? 's' : ''} en attente : l'utilisateur n'a pas encore choisi son mot de passe.
          </p>
        )}
        <ErrorAlert error={users.error} />
        {users.loading ? (
          <Loading label="Chargement des utilisateurs…" />
        ) : users.items.length === 0 ? (
          !users.error && <Empty title="Aucun utilisateur dans ce compte.">Invitez son utilisateur groupe ci-dessous.</Empty>
        ) : (
          <>
            <DataTable caption={`Utilisateurs de ${a.name}`} columns={columns} rows={users.items} rowKey={(u) => u.id} />
            <LoadMore hasMore={users.hasMore} loading={users.loadingMore} onClick={users.loadMore} />
          </>
        )}
      </section>

      <InviteUserForm
        accountId={a.id}
        onInvited={(u) => {
          setNotice(null);
          users.setItems((items) => [...items, u]);
        }}
      />
    </>
  );
}
