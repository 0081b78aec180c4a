import { useRef, useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import type { Address, AddressInput } from '../../api/types';
import { Alert, Button, Field, focusFirstError, splitServerErrors, TextAreaField } from '../../ui';
import { checkPostalCode, checkRequired, compact } from '../../validation/fields';

const FIELDS = ['label', 'company', 'street', 'postal_code', 'city', 'country', 'contact_name', 'contact_phone', 'instructions'] as const;
type FieldName = (typeof FIELDS)[number];
type Values = Record<FieldName, string>;

function initial(address?: Address): Values {
  return {
    label: address?.label ?? '',
    company: address?.company ?? '',
    street: address?.street ?? '',
    postal_code: address?.postal_code ?? '',
    city: address?.city ?? '',
    country: address?.country ?? 'FR',
    contact_name: address?.contact_name ?? '',
    contact_phone: address?.contact_phone ?? '',
    instructions: address?.instructions ?? '',
  };
}

function toInput(v: Values): AddressInput {
  const opt = (s: string) => (s.trim() === '' ? null : s.trim());
  return {
    label: v.label.trim(),
    company: opt(v.company),
    street: v.street.trim(),
    postal_code: v.postal_code.trim(),
    city: v.city.trim(),
    country: v.country.trim().toUpperCase() || 'FR',
    contact_name: opt(v.contact_name),
    contact_phone: opt(v.contact_phone),
    instructions: opt(v.instructions),
  };
}

// Creates (POST) or edits (PUT) an address of the book; used by the book and the wizard.
export function AddressForm({ address, onSaved, onCancel, idPrefix }: {
  address?: Address;
  onSaved: (saved: Address) => void;
  onCancel?: () => void;
  idPrefix: string;
}) {
  const formRef = useRef<HTMLFormElement>(null);
  const [values, setValues] = useState<Values>(() => initial(address));
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const set = (name: FieldName) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [name]: e.target.value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setGeneral(null);
    const local = compact({
      label: checkRequired(values.label),
      street: checkRequired(values.street),
      postal_code: checkPostalCode(values.postal_code, values.country),
      city: checkRequired(values.city),
    });
    setErrors(local);
    if (Object.keys(local).length) return focusFirstError(formRef.current);
    setBusy(true);
    try {
      const saved = address
        ? await api<Address>(`/api/addresses/${address.id}`, { method: 'PUT', body: toInput(values) })
        : await api<Address>('/api/addresses', { body: toInput(values) });
      onSaved(saved);
    } catch (err) {
      const split = splitServerErrors(err, [...FIELDS]);
      setErrors(split.fields);
      setGeneral(split.general);
      focusFirstError(formRef.current);
    } finally {
      setBusy(false);
    }
  }

  const id = (name: string) => `${idPrefix}-${name}`;
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label={address ? `Modifier l'adresse ${address.label}` : 'Nouvelle adresse'}>
      {general && <Alert>{general}</Alert>}
      <div className="grid-2">
        <Field id={id('label')} label="Nom de l'adresse" required hint="Par exemple : Dépôt Lyon, Agence Paris"
          value={values.label} onChange={set('label')} error={errors.label} />
        <Field id={id('company')} label="Société" autoComplete="organization"
          value={values.company} onChange={set('company')} error={errors.company} />
      </div>
      <Field id={id('street')} label="Numéro et rue" required autoComplete="street-address"
        value={values.street} onChange={set('street')} error={errors.street} />
      <div className="grid-2">
        <Field id={id('postal_code')} label="Code postal" required inputMode="numeric" autoComplete="postal-code"
          value={values.postal_code} onChange={set('postal_code')} error={errors.postal_code} />
        <Field id={id('city')} label="Ville" required autoComplete="address-level2"
          value={values.city} onChange={set('city')} error={errors.city} />
        <Field id={id('country')} label="Pays (code ISO)" maxLength={2} hint="FR pour la France"
          value={values.country} onChange={set('country')} error={errors.country} />
      </div>
      <div className="grid-2">
        <Field id={id('contact_name')} label="Contact sur place" autoComplete="name"
          value={values.contact_name} onChange={set('contact_name')} error={errors.contact_name} />
        <Field id={id('contact_phone')} label="Téléphone du contact" type="tel" autoComplete="tel"
          value={values.contact_phone} onChange={set('contact_phone')} error={errors.contact_phone} />
      </div>
      <TextAreaField id={id('instructions')} label="Instructions (horaires, accès…)"
        value={values.instructions} onChange={set('instructions')} error={errors.instructions} />
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={busy}>
          {address ? 'Enregistrer' : "Ajouter l'adresse"}
        </Button>
        {onCancel && <Button onClick={onCancel}>Annuler</Button>}
      </div>
    </form>
  );
}
