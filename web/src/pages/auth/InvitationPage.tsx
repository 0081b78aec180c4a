import { useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import type { LoginResponse } from '../../api/types';
import { useSession } from '../../session';
import { Alert, Button, Field, focusFirstError, splitServerErrors } from '../../ui';
import { checkName, checkPassword, compact, PASSWORD_HINT } from '../../validation/fields';
import { AuthFrame } from './AuthFrame';

// The link of the invitation e-mail: /invitation?token=…; the user picks a name and password.
export function InvitationPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const { refresh } = useSession();
  const navigate = useNavigate();
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [linkDead, setLinkDead] = useState(false);
  const [busy, setBusy] = useState(false);

  if (!token) {
    return (
      <AuthFrame title="Activer votre accès">
        <Alert>Ce lien d'invitation est incomplet. Ouvrez le lien reçu par e-mail, ou demandez une nouvelle invitation.</Alert>
        <p><Link to="/connexion">Aller à la connexion</Link></p>
      </AuthFrame>
    );
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setGeneral(null);
    const local = compact({
      name: checkName(name),
      password: checkPassword(password),
      confirm: confirm !== password ? 'Les deux mots de passe ne sont pas identiques.' : undefined,
    });
    setErrors(local);
    if (Object.keys(local).length) return focusFirstError(formRef.current);
    setBusy(true);
    try {
      await api<LoginResponse>('/api/auth/invitations/accept', { body: { token, name: name.trim(), password } });
      await refresh();
      navigate('/', { replace: true });
    } catch (err) {
      const split = splitServerErrors(err, ['name', 'password']);
      setErrors(split.fields);
      setGeneral(split.general);
      const status = (err as { status?: number }).status;
      setLinkDead(status === 400 || status === 410);
      focusFirstError(formRef.current);
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthFrame title="Activer votre accès">
      <p>Bienvenue sur le portail STVA. Indiquez votre nom et choisissez votre mot de passe pour activer votre accès.</p>
      {general && <Alert>{general}</Alert>}
      {linkDead && <p><Link to="/connexion">Aller à la connexion</Link></p>}
      {!linkDead && <form ref={formRef} onSubmit={submit} noValidate>
        <Field label="Nom et prénom" name="name" autoComplete="name" required
          value={name} onChange={(e) => setName(e.target.value)} error={errors.name} />
        <Field label="Mot de passe" type="password" name="password" autoComplete="new-password" required
          hint={PASSWORD_HINT} value={password} onChange={(e) => setPassword(e.target.value)} error={errors.password} />
        <Field label="Confirmez le mot de passe" type="password" name="confirm" autoComplete="new-password" required
          value={confirm} onChange={(e) => setConfirm(e.target.value)} error={errors.confirm} />
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={busy}>Activer mon accès</Button>
        </div>
      </form>}
    </AuthFrame>
  );
}
