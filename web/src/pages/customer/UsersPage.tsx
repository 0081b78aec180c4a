import { useRef, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api/client';
import type { User } from '../../api/types';
import { useSession } from '../../session';
import {
  Alert, Button, DataTable, ErrorAlert, Field, focusFirstError, formatDateTime, LoadMore, Loading, PageHeader, splitServerErrors, usePagedList,
} from '../../ui';
import { checkEmail, checkName, compact } from '../../validation/fields';

const ROLE_LABELS: Record<string, string> = { group: 'Utilisateur groupe', member: 'Membre', manager: 'Gestionnaire' };
const STATUS_LABELS: Record<string, string> = { invited: 'Invité', active: 'Actif', disabled: 'Désactivé' };

// Group users manage the users of their account: invite members, resend, disable.
export function UsersPage() {
  const { me } = useSession();
  const accountId = me!.account_id!;
  const list = usePagedList<User>(`/api/accounts/${accountId}/users?limit=100`);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  async function disable(user: User) {
    if (!window.confirm(`Désactiver l'accès de ${user.name} (${user.email}) ?`)) return;
    setActionError(null);
    try {
      await api<void>(`/api/accounts/${accountId}/users/${user.id}`, { method: 'DELETE' });
      list.setItems((items) => items.map((u) => (u.id === user.id ? { ...u, status: 'disabled' } : u)));
      setNotice(`L'accès de ${user.name} est désactivé.`);
    } catch (err) {
      setActionError(err);
    }
  }

  async function resend(user: User) {
    setActionError(null);
    try {
      await api(`/api/accounts/${accountId}/users/${user.id}/invitation`, { method: 'POST' });
      setNotice(`Une nouvelle invitation a été envoyée à ${user.email}.`);
    } catch (err) {
      setActionError(err);
    }
  }

  return (
    <>
      <PageHeader title="Utilisateurs du compte" subtitle={me?.account_name ?? undefined} />
      {notice && <Alert kind="success">{notice}</Alert>}
      <ErrorAlert error={actionError} />
      <section className="card" aria-labelledby="invite-title">
        <h2 id="invite-title">Inviter un utilisateur</h2>
        <p className="muted">La personne reçoit un e-mail pour choisir son mot de passe. Elle pourra commander et suivre les commandes du compte.</p>
        <InviteForm accountId={accountId} onInvited={(u) => { list.setItems((items) => [u, ...items]); setNotice(`Invitation envoyée à ${u.email}.`); }} />
      </section>
      <h2>Utilisateurs</h2>
      <ErrorAlert error={list.error} />
      {list.loading ? (
        <Loading />
      ) : (
        <DataTable
          caption="Utilisateurs du compte"
          rows={list.items}
          rowKey={(u) => u.id}
          columns={[
            { header: 'Nom', cell: (u) => <>{u.name}{u.id === me?.id && <span className="muted"> (vous)</span>}</> },
            { header: 'E-mail', cell: (u) => u.email },
            { header: 'Rôle', cell: (u) => ROLE_LABELS[u.role] ?? u.role },
            { header: 'Statut', cell: (u) => <span className={`badge badge--${u.status}`}>{STATUS_LABELS[u.status] ?? u.status}</span> },
            { header: 'Dernière connexion', cell: (u) => formatDateTime(u.last_login_at), className: 'nowrap' },
            {
              header: <span className="visually-hidden">Actions</span>,
              cell: (u) => u.id === me?.id || u.status === 'disabled' || u.role !== 'member' ? null : (
                <div className="row">
                  {u.status === 'invited' && (
                    <Button className="btn--small" onClick={() => void resend(u)} aria-label={`Renvoyer l'invitation à ${u.name}`}>Renvoyer l'invitation</Button>
                  )}
                  <Button className="btn--small" variant="danger" onClick={() => void disable(u)} aria-label={`Désactiver ${u.name}`}>Désactiver</Button>
                </div>
              ),
            },
          ]}
        />
      )}
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} />
    </>
  );
}

function InviteForm({ accountId, onInvited }: { accountId: string; onInvited: (u: User) => void }) {
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setGeneral(null);
    const local = compact({ name: checkName(name), email: checkEmail(email) });
    setErrors(local);
    if (Object.keys(local).length) return focusFirstError(formRef.current);
    setBusy(true);
    try {
      const user = await api<User>(`/api/accounts/${accountId}/users`, { body: { name: name.trim(), email: email.trim(), role: 'member' } });
      setName('');
      setEmail('');
      onInvited(user);
    } catch (err) {
      const split = splitServerErrors(err, ['name', 'email']);
      // "E-mail taken" names no field but is about the e-mail: show it there.
      if (err instanceof ApiError && err.code === 'email_taken') {
        split.fields.email = err.detail;
        split.general = null;
      }
      setErrors(split.fields);
      setGeneral(split.general);
      focusFirstError(formRef.current);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Inviter un utilisateur">
      {general && <Alert>{general}</Alert>}
      <div className="grid-2">
        <Field id="invite-name" label="Nom et prénom" required autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} />
        <Field id="invite-email" label="Adresse e-mail" type="email" required autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} error={errors.email} />
      </div>
      <Button type="submit" variant="primary" busy={busy}>Envoyer l'invitation</Button>
    </form>
  );
}
