import { useRef, useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import type { LoginResponse } from '../../api/types';
import { useSession } from '../../session';
import { Alert, Button, Field, focusFirstError, splitServerErrors } from '../../ui';
import { checkEmail, compact } from '../../validation/fields';
import { AuthFrame } from './AuthFrame';

/** Only same-site paths are followed after sign-in (no open redirect). */
export function safeNext(next: string | null): string {
  return next && /^\/(?![/\\])/.test(next) ? next : '/';
}

export function SignInPage() {
  const { me, refresh } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const formRef = useRef<HTMLFormElement>(null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = safeNext(params.get('suite'));

  if (me) return <Navigate to={next} replace />;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setGeneral(null);
    const local = compact({ email: checkEmail(email), password: password ? undefined : 'Le mot de passe est obligatoire.' });
    setErrors(local);
    if (Object.keys(local).length) return focusFirstError(formRef.current);
    setBusy(true);
    try {
      await api<LoginResponse>('/api/auth/login', { body: { email: email.trim(), password } });
      await refresh();
      navigate(next, { replace: true });
    } catch (err) {
      const split = splitServerErrors(err, ['email', 'password']);
      setErrors(split.fields);
      setGeneral(split.general);
      focusFirstError(formRef.current);
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthFrame title="Connexion">
      {params.get('reinitialise') && <Alert kind="success">Votre mot de passe a été modifié. Connectez-vous.</Alert>}
      {general && <Alert>{general}</Alert>}
      <form ref={formRef} onSubmit={submit} noValidate>
        <Field label="Adresse e-mail" type="email" name="email" autoComplete="username" required
          value={email} onChange={(e) => setEmail(e.target.value)} error={errors.email} />
        <Field label="Mot de passe" type="password" name="password" autoComplete="current-password" required
          value={password} onChange={(e) => setPassword(e.target.value)} error={errors.password} />
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={busy}>Se connecter</Button>
        </div>
      </form>
      <p className="small">
        <Link to="/mot-de-passe-oublie">Mot de passe oublié ?</Link>
      </p>
    </AuthFrame>
  );
}
