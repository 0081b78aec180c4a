// Invites another STVA manager (`POST /api/managers`); the API has no list of managers.
import { useState, type FormEvent } from 'react';
import { api, fieldError } from '../../../api/client';
import type { User } from '../../../api/types';
import { Alert, Button, ErrorAlert, Field, PageHeader } from '../../../ui';

export function InviteManagerPage() {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [invited, setInvited] = useState<User[]>([]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const user = await api<User>('/api/managers', { method: 'POST', body: { name: name.trim(), email: email.trim() } });
      setInvited((list) => [user, ...list]);
      setName('');
      setEmail('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeader
        title="Gestionnaires"
        subtitle="Invitez un collègue de STVA : il recevra un e-mail pour choisir son mot de passe et aura les mêmes droits que vous."
      />
      <form className="card mgr-form" onSubmit={submit} noValidate aria-labelledby="invite-manager-title">
        <h2 id="invite-manager-title">Inviter un gestionnaire</h2>
        {invited.map((u) => (
          <Alert key={u.id} kind="success">Invitation envoyée à {u.name} ({u.email}).</Alert>
        ))}
        <ErrorAlert error={error} />
        <div className="mgr-form__grid">
          <Field label="Nom" required value={name} onChange={(e) => setName(e.target.value)} error={fieldError(error, 'name')} autoComplete="off" />
          <Field label="E-mail" required type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={fieldError(error, 'email')} autoComplete="off" />
        </div>
        <Button type="submit" variant="primary" busy={busy}>Envoyer l'invitation</Button>
      </form>
    </>
  );
}
