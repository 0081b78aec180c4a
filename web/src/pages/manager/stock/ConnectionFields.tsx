// The settings fields of the chosen stock tool. Secrets are write-only: the
// API only says whether one is stored ("défini"), never its value.
import type { ConnectionForm, SecretName } from './stockProviders';
import { secretOf, usesBasicAuth } from './stockProviders';
import { Field } from '../../../ui';

export function ConnectionFields({ form, set, problems, stored }: {
  form: ConnectionForm;
  set: (patch: Partial<ConnectionForm>) => void;
  problems: Record<string, string>;
  stored: Set<SecretName>;
}) {
  const secret = secretOf(form.provider);
  const secretHint = secret && stored.has(secret)
    ? 'Défini. Jamais réaffiché : ressaisissez-le à chaque enregistrement.'
    : undefined;

  if (form.provider === 'radarvo') {
    return (
      <>
        <Field label="Adresse de l'API RadarVO" required type="url" placeholder="https://api.radarvo.fr" value={form.base_url} onChange={(e) => set({ base_url: e.target.value })} error={problems.base_url} hint="Sans « /v1 » à la fin." />
        <Field label="Clé API" required type="password" autoComplete="new-password" value={form.api_key} onChange={(e) => set({ api_key: e.target.value })} error={problems.api_key} hint={secretHint} />
        <Field label="Véhicules par page" inputMode="numeric" value={form.per_page} onChange={(e) => set({ per_page: e.target.value })} error={problems.per_page} hint="Facultatif : 500 par défaut." />
      </>
    );
  }
  return (
    <>
      <Field
        label="Adresse du flux"
        required
        type="url"
        placeholder={form.provider === 'spidervo' || form.provider === 'v12' ? 'https://…/export.xml' : 'https://…/stock.csv'}
        value={form.url}
        onChange={(e) => set({ url: e.target.value })}
        error={problems.url}
        hint="L'URL de l'export que l'outil du client publie."
      />
      {usesBasicAuth(form.provider) && (
        <>
          <Field label="Identifiant" value={form.username} autoComplete="off" onChange={(e) => set({ username: e.target.value })} error={problems.username} hint="Facultatif : si l'export est protégé par mot de passe." />
          <Field label="Mot de passe" type="password" autoComplete="new-password" value={form.password} onChange={(e) => set({ password: e.target.value })} error={problems.password} hint={secretHint ?? 'Facultatif.'} />
        </>
      )}
      {form.provider === 'csv_feed' && (
        <fieldset className="mgr-fieldset">
          <legend>Colonnes du fichier</legend>
          <p className="field__hint">Le nom de l'en-tête de chaque colonne ; plusieurs noms possibles séparés par des virgules.</p>
          <Field label="Séparateur" value={form.separator} maxLength={2} onChange={(e) => set({ separator: e.target.value })} error={problems.separator} hint="« ; » ou « , » ; laisser vide pour le détecter." />
          <Field label="Colonne de la marque" required value={form.col_make} onChange={(e) => set({ col_make: e.target.value })} error={problems.col_make} placeholder="Marque" />
          <Field label="Colonne du modèle" required value={form.col_model} onChange={(e) => set({ col_model: e.target.value })} error={problems.col_model} placeholder="Modèle" />
          <Field label="Colonne de l'immatriculation" value={form.col_plate} onChange={(e) => set({ col_plate: e.target.value })} error={problems.col_plate} placeholder="Immatriculation" />
          <Field label="Colonne de la référence" value={form.col_ref} onChange={(e) => set({ col_ref: e.target.value })} placeholder="Référence" />
          <Field label="Colonne du VIN" value={form.col_vin} onChange={(e) => set({ col_vin: e.target.value })} placeholder="VIN" />
        </fieldset>
      )}
    </>
  );
}
