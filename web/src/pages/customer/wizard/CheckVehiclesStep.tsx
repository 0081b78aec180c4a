import { Field } from '../../../ui';
import { checkPlate, PLATE_KIND_LABELS } from '../../../validation/plate';
import type { VehicleDraft } from './types';

export type DraftErrors = Record<string, string>;

/** Client-side checks of step 2, keyed like the server's fields (`vehicles[0].plate`). */
export function checkDrafts(drafts: VehicleDraft[]): DraftErrors {
  const errors: DraftErrors = {};
  const plates = new Map<string, number>();
  drafts.forEach((d, i) => {
    for (const key of ['make', 'model'] as const) {
      const value = d[key].trim();
      if (!value) errors[`vehicles[${i}].${key}`] = 'Ce champ est obligatoire.';
      else if ([...value].length > 60) errors[`vehicles[${i}].${key}`] = '60 caractères au plus.';
    }
    const plate = checkPlate(d.plate);
    if (!plate.ok) errors[`vehicles[${i}].plate`] = plate.error;
    else if (plates.has(plate.plate.normalized)) errors[`vehicles[${i}].plate`] = 'Deux véhicules du lot ont cette immatriculation.';
    else plates.set(plate.plate.normalized, i);
  });
  return errors;
}

// Step 2: check and correct make, model and plate; corrections are saved to the stock with the quote.
export function CheckVehiclesStep({ drafts, errors, onChange }: {
  drafts: VehicleDraft[];
  errors: DraftErrors;
  onChange: (index: number, patch: Partial<Pick<VehicleDraft, 'make' | 'model' | 'plate'>>) => void;
}) {
  return (
    <section aria-labelledby="step-title">
      <h2 id="step-title" tabIndex={-1}>2. Vérifiez les véhicules</h2>
      <p className="muted">Corrigez si besoin la marque, le modèle ou l'immatriculation : vos corrections seront enregistrées dans votre stock.</p>
      {drafts.map((d, i) => {
        const plate = checkPlate(d.plate);
        const kind = plate.ok ? `Format : ${PLATE_KIND_LABELS[plate.plate.kind]}` : undefined;
        const warning = plate.ok ? plate.plate.warning : undefined;
        return (
          <fieldset key={d.vehicle.id}>
            <legend>
              Véhicule {i + 1} : {d.vehicle.make} {d.vehicle.model}
              {d.vehicle.external_ref && <span className="muted"> (réf. {d.vehicle.external_ref})</span>}
            </legend>
            <div className="vehicle-check">
              <Field id={`v${i}-make`} label="Marque" required value={d.make} error={errors[`vehicles[${i}].make`]}
                onChange={(e) => onChange(i, { make: e.target.value })} />
              <Field id={`v${i}-model`} label="Modèle" required value={d.model} error={errors[`vehicles[${i}].model`]}
                onChange={(e) => onChange(i, { model: e.target.value })} />
              <Field id={`v${i}-plate`} label="Immatriculation" required value={d.plate} autoCapitalize="characters"
                error={errors[`vehicles[${i}].plate`]}
                hint={warning ? <span className="field__warning">{warning}</span> : kind ?? 'AB-123-CD, 1234 AB 56, W-123-AB…'}
                onChange={(e) => onChange(i, { plate: e.target.value })} />
            </div>
          </fieldset>
        );
      })}
    </section>
  );
}
