import { useRef, useState, type FormEvent } from 'react';
import { api } from '../../../api/client';
import type { Vehicle, VehicleInput } from '../../../api/types';
import { Alert, Button, Field, focusFirstError, splitServerErrors } from '../../../ui';
import { checkRequired, compact } from '../../../validation/fields';
import { checkPlate, PLATE_KIND_LABELS } from '../../../validation/plate';

const FIELDS = ['make', 'model', 'version', 'plate', 'vin'] as const;
type Values = Record<(typeof FIELDS)[number], string>;
const EMPTY: Values = { make: '', model: '', version: '', plate: '', vin: '' };

// Hand entry of one vehicle, with the plate checked as the server does.
export function VehicleForm({ onCreated }: { onCreated: (v: Vehicle) => void }) {
  const formRef = useRef<HTMLFormElement>(null);
  const [values, setValues] = useState<Values>(EMPTY);
  const [errors, setErrors] = useState<Partial<Values>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [plateTouched, setPlateTouched] = useState(false);
  const set = (name: keyof Values) => (e: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [name]: e.target.value }));
    setErrors((er) => ({ ...er, [name]: undefined }));
  };

  const plate = checkPlate(values.plate);
  const plateError = errors.plate ?? (plateTouched && !plate.ok ? plate.error : undefined);
  const plateHint = plate.ok
    ? plate.plate.warning
      ? <span className="field__warning">{plate.plate.warning}</span>
      : `Format : ${PLATE_KIND_LABELS[plate.plate.kind]} (${plate.plate.display})`
    : 'AB-123-CD, 1234 AB 56, W-123-AB…';

  async function submit(e: FormEvent) {
    e.preventDefault();
    setGeneral(null);
    setPlateTouched(true);
    const local = compact({
      make: checkRequired(values.make),
      model: checkRequired(values.model),
      plate: plate.ok ? undefined : plate.error,
    });
    setErrors(local);
    if (Object.keys(local).length) return focusFirstError(formRef.current);
    setBusy(true);
    const body: VehicleInput = {
      make: values.make.trim(),
      model: values.model.trim(),
      plate: values.plate.trim(),
      version: values.version.trim() || null,
      vin: values.vin.trim() || null,
    };
    try {
      const created = await api<Vehicle>('/api/vehicles', { body });
      setValues(EMPTY);
      setPlateTouched(false);
      onCreated(created);
    } catch (err) {
      const split = splitServerErrors(err, [...FIELDS]);
      setErrors(split.fields);
      setGeneral(split.general);
      focusFirstError(formRef.current);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Ajouter un véhicule">
      {general && <Alert>{general}</Alert>}
      <div className="vehicle-check">
        <Field id="vehicle-make" label="Marque" required value={values.make} onChange={set('make')} error={errors.make} />
        <Field id="vehicle-model" label="Modèle" required value={values.model} onChange={set('model')} error={errors.model} />
        <Field id="vehicle-version" label="Version" value={values.version} onChange={set('version')} error={errors.version} />
        <Field id="vehicle-plate" label="Immatriculation" required value={values.plate} autoCapitalize="characters"
          onChange={set('plate')} onBlur={() => setPlateTouched(true)} error={plateError} hint={plateHint} />
        <Field id="vehicle-vin" label="VIN (facultatif)" value={values.vin} maxLength={17} onChange={set('vin')} error={errors.vin}
          hint="17 caractères" />
      </div>
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={busy}>Ajouter au stock</Button>
      </div>
    </form>
  );
}
