// Invites a user into a customer account (role group or member); the invitee gets
// the sign-in e-mail. Field errors are shown next to their fields.
import { useState, type FormEvent } from 'react';
import { api, fieldError } from '../../../api/client';
import type { User } from '../../../api/types';
import { Alert, Button, ErrorAlert, Field, SelectField } from '../../../ui';

export function InviteUserForm({ accountId, onInvited }: { accountId: string; onInvited: (user: User) => void }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<'group' | 'member'>('group');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSentTo(null);
    try {
      const user = await api<User>(`/api/accounts/${encodeURIComponent(accountId)}/users`, {
        method: 'POST',
        body: { name: name.trim(), email: email.trim(), role },
      });
      setSentTo(user.email);
      setName('');
      setEmail('');
      onInvited(user);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card mgr-form" onSubmit={submit} noValidate aria-labelledby="invite-user-title">
      <h2 id="invite-user-title">Inviter un utilisateur</h2>
      {sentTo && <Alert kind="success">Invitation envoyée à {sentTo}. Le lien reste valable 72 heures.</Alert>}
      <ErrorAlert error={error} />
      <div className="mgr-form__grid">
        <Field label="Nom" required value={name} onChange={(e) => setName(e.target.value)} error={fieldError(error, 'name')} autoComplete="off" />
        <Field label="E-mail" required type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={fieldError(error, 'email')} autoComplete="off" />
        <SelectField
          label="Rôle"
          value={role}
          onChange={(e) => setRole(e.target.value as 'group' | 'member')}
          error={fieldError(error, 'role')}
          hint="Un utilisateur groupe peut à son tour inviter des membres de son compte."
        >
          <option value="group">Utilisateur groupe</option>
          <option value="member">Membre</option>
        </SelectField>
      </div>
      <Button type="submit" variant="primary" busy={busy}>Envoyer l'invitation</Button>
    </form>
  );
}
