import { useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { Alert, Button, Field, focusFirstError, splitServerErrors } from '../../ui';
import { checkPassword, compact, PASSWORD_HINT } from '../../validation/fields';
import { AuthFrame } from './AuthFrame';

// The link of the reset e-mail: /reinitialiser-mot-de-passe?token=…
export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const navigate = useNavigate();
  const formRef = useRef<HTMLFormElement>(null);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setGeneral(null);
    const local = compact({
      password: checkPassword(password),
      confirm: confirm !== password ? 'Les deux mots de passe ne sont pas identiques.' : undefined,
    });
    setErrors(local);
    if (Object.keys(local).length) return focusFirstError(formRef.current);
    setBusy(true);
    try {
      await api<void>('/api/auth/password-reset/confirm', { body: { token, password } });
      navigate('/connexion?reinitialise=1', { replace: true });
    } catch (err) {
      const split = splitServerErrors(err, ['password']);
      setErrors(split.fields);
      setGeneral(split.general);
      focusFirstError(formRef.current);
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthFrame title="Nouveau mot de passe">
      {!token && <Alert>Ce lien est incomplet. Ouvrez le lien reçu par e-mail, ou faites une nouvelle demande.</Alert>}
      {general && (
        <Alert>
          {general} <Link to="/mot-de-passe-oublie">Demander un nouveau lien</Link>
        </Alert>
      )}
      <form ref={formRef} onSubmit={submit} noValidate>
        <Field label="Nouveau mot de passe" type="password" name="password" autoComplete="new-password" required
          hint={PASSWORD_HINT} value={password} onChange={(e) => setPassword(e.target.value)} error={errors.password} />
        <Field label="Confirmez le mot de passe" type="password" name="confirm" autoComplete="new-password" required
          value={confirm} onChange={(e) => setConfirm(e.target.value)} error={errors.confirm} />
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={busy} disabled={!token}>Enregistrer le mot de passe</Button>
        </div>
      </form>
      <p className="small"><Link to="/connexion">Retour à la connexion</Link></p>
    </AuthFrame>
  );
}
