import { useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { Alert, Button, Field, focusFirstError, splitServerErrors } from '../../ui';
import { checkEmail } from '../../validation/fields';
import { AuthFrame } from './AuthFrame';

export function ForgotPasswordPage() {
  const formRef = useRef<HTMLFormElement>(null);
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [general, setGeneral] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setGeneral(null);
    const local = checkEmail(email);
    setError(local);
    if (local) return focusFirstError(formRef.current);
    setBusy(true);
    try {
      await api<void>('/api/auth/password-reset', { body: { email: email.trim() } });
      setSent(true);
    } catch (err) {
      const split = splitServerErrors(err, ['email']);
      setError(split.fields.email);
      setGeneral(split.general);
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthFrame title="Mot de passe oublié">
      {sent ? (
        <Alert kind="success">
          Si un accès existe pour cette adresse, un e-mail vient de lui être envoyé avec un lien pour choisir un nouveau
          mot de passe. Le lien est valable 60 minutes.
        </Alert>
      ) : (
        <>
          <p>Indiquez l'adresse e-mail de votre accès : nous vous enverrons un lien pour choisir un nouveau mot de passe.</p>
          {general && <Alert>{general}</Alert>}
          <form ref={formRef} onSubmit={submit} noValidate>
            <Field label="Adresse e-mail" type="email" name="email" autoComplete="username" required
              value={email} onChange={(e) => setEmail(e.target.value)} error={error} />
            <div className="form-actions">
              <Button type="submit" variant="primary" busy={busy}>Recevoir le lien</Button>
            </div>
          </form>
        </>
      )}
      <p className="small"><Link to="/connexion">Retour à la connexion</Link></p>
    </AuthFrame>
  );
}
