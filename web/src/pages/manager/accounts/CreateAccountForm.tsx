// New customer account: name, SIRET, billing e-mail; the server's field errors
// are shown next to their fields.
import { useState, type FormEvent } from 'react';
import { api, fieldError } from '../../../api/client';
import type { Account } from '../../../api/types';
import { Button, ErrorAlert, Field } from '../../../ui';

export function CreateAccountForm({ onCreated }: { onCreated: (account: Account) => void }) {
  const [name, setName] = useState('');
  const [siret, setSiret] = useState('');
  const [billingEmail, setBillingEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const account = await api<Account>('/api/accounts', {
        method: 'POST',
        // SIRETs are often typed with spaces (732 829 320 00074).
        body: { name: name.trim(), siret: siret.replace(/\s+/g, '') || null, billing_email: billingEmail.trim() || null },
      });
      onCreated(account);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card mgr-form" onSubmit={submit} noValidate aria-labelledby="new-account-title">
      <h2 id="new-account-title">Nouveau compte client</h2>
      <ErrorAlert error={error} />
      <div className="mgr-form__grid">
        <Field label="Raison sociale" required value={name} onChange={(e) => setName(e.target.value)} error={fieldError(error, 'name')} autoComplete="organization" />
        <Field
          label="SIRET"
          hint="14 chiffres (facultatif)"
          inputMode="numeric"
          value={siret}
          onChange={(e) => setSiret(e.target.value)}
          error={fieldError(error, 'siret')}
        />
        <Field
          label="E-mail de facturation"
          hint="Facultatif"
          type="email"
          value={billingEmail}
          onChange={(e) => setBillingEmail(e.target.value)}
          error={fieldError(error, 'billing_email')}
          autoComplete="email"
        />
      </div>
      <Button type="submit" variant="primary" busy={busy}>Créer le compte</Button>
    </form>
  );
}
