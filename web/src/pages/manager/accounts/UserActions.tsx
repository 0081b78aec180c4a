// Per-user actions of a customer account: resend a pending invitation, disable
// (asked twice: it ends the user's sessions at once).
import { useState } from 'react';
import { api, errorMessage } from '../../../api/client';
import type { User } from '../../../api/types';
import { Button } from '../../../ui';

export function UserActions({ user, onChanged }: { user: User; onChanged: (user: User, message: string) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState<'resend' | 'disable' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const base = `/api/accounts/${encodeURIComponent(user.account_id ?? '')}/users/${encodeURIComponent(user.id)}`;

  async function resend() {
    setBusy('resend');
    setError(null);
    try {
      const answer = await api<{ user: User }>(`${base}/invitation`, { method: 'POST' });
      onChanged(answer.user ?? user, `Nouvelle invitation envoyée à ${user.email}.`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  }

  async function disable() {
    setBusy('disable');
    setError(null);
    try {
      await api<void>(base, { method: 'DELETE' });
      setConfirming(false);
      onChanged({ ...user, status: 'disabled' }, `${user.name} est désactivé : ses sessions sont fermées.`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  }

  if (user.status === 'disabled') return <span className="muted">—</span>;
  return (
    <div className="mgr-actions">
      {user.status === 'invited' && !confirming && (
        <Button variant="secondary" busy={busy === 'resend'} onClick={resend} aria-label={`Renvoyer l'invitation à ${user.name}`}>
          Renvoyer l'invitation
        </Button>
      )}
      {confirming ? (
        <>
          <Button variant="danger" busy={busy === 'disable'} onClick={disable} aria-label={`Confirmer la désactivation de ${user.name}`}>
            Confirmer
          </Button>
          <Button variant="secondary" onClick={() => setConfirming(false)}>Annuler</Button>
        </>
      ) : (
        <Button variant="secondary" onClick={() => setConfirming(true)} aria-label={`Désactiver ${user.name}`}>
          Désactiver
        </Button>
      )}
      {error && <p className="field__error" role="alert">{error}</p>}
    </div>
  );
}
