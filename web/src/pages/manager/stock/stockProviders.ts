// The stock tools a manager can connect, and how each maps to what the API stores.
// The API knows three connectors (`radarvo`, `spidervo`, `feed`); PlanetVO, Cardiff,
// V12 and Eurolinea are `feed` with a preset, and a generic CSV feed is `feed` with
// a column mapping of its own (docs/stock-connectors.md).

export type ProviderChoice =
  | 'radarvo'
  | 'spidervo'
  | 'planetvo'
  | 'cardiff'
  | 'v12'
  | 'eurolinea'
  | 'csv_feed';

export const PROVIDERS: { value: ProviderChoice; label: string; hint: string }[] = [
  { value: 'radarvo', label: 'RadarVO (agrégateur, recommandé)', hint: "L'API RadarVO regroupe les flux de tous les outils de stock." },
  { value: 'spidervo', label: 'Spider-VO', hint: 'Export XML Spider-VO du concessionnaire.' },
  { value: 'planetvo', label: 'PlanetVO', hint: 'Export CSV PlanetVO.' },
  { value: 'cardiff', label: 'Cardiff', hint: 'Export CSV Cardiff.' },
  { value: 'v12', label: 'V12', hint: 'Export XML V12.' },
  { value: 'eurolinea', label: 'Eurolinea', hint: 'Export CSV Eurolinea.' },
  { value: 'csv_feed', label: 'Flux CSV (autre outil)', hint: "Un fichier CSV en ligne : indiquez quelles colonnes lire." },
];

const PRESETS = ['planetvo', 'cardiff', 'v12', 'eurolinea'] as const;

/** The form's values; secrets are empty unless the manager types a new one. */
export interface ConnectionForm {
  provider: ProviderChoice;
  base_url: string;
  api_key: string;
  per_page: string;
  url: string;
  username: string;
  password: string;
  separator: string;
  col_ref: string;
  col_make: string;
  col_model: string;
  col_plate: string;
  col_vin: string;
}

export const EMPTY_FORM: ConnectionForm = {
  provider: 'radarvo',
  base_url: '',
  api_key: '',
  per_page: '',
  url: '',
  username: '',
  password: '',
  separator: '',
  col_ref: '',
  col_make: '',
  col_model: '',
  col_plate: '',
  col_vin: '',
};

/** What `GET /api/stock/connection?account_id=` answers. */
export interface ConnectionView {
  account_id: string;
  provider: string;
  source: string;
  settings: Record<string, unknown>;
  updated_at: string;
}

export type SecretName = 'api_key' | 'password';

/** Which secrets are already stored (the API answers `{configured: true}`). */
export function configuredSecrets(view: ConnectionView | null): Set<SecretName> {
  const set = new Set<SecretName>();
  for (const name of ['api_key', 'password'] as const) {
    const v = view?.settings[name] as { configured?: boolean } | undefined;
    if (v && typeof v === 'object' && v.configured) set.add(name);
  }
  return set;
}

export function usesFeedUrl(p: ProviderChoice): boolean {
  return p !== 'radarvo';
}
export function usesBasicAuth(p: ProviderChoice): boolean {
  return p !== 'radarvo' && p !== 'spidervo';
}
export function secretOf(p: ProviderChoice): SecretName | null {
  if (p === 'radarvo') return 'api_key';
  return usesBasicAuth(p) ? 'password' : null;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const names = (v: unknown): string => (Array.isArray(v) ? v.filter((x) => typeof x === 'string').join(', ') : '');
const list = (s: string): string[] =>
  s.split(',').map((x) => x.trim()).filter((x) => x !== '');

/** The form for a stored connection (secrets left blank). */
export function formFromView(view: ConnectionView): ConnectionForm {
  const s = view.settings;
  const form: ConnectionForm = { ...EMPTY_FORM, base_url: str(s.base_url), per_page: str(s.per_page), url: str(s.url), username: str(s.username) };
  if (view.provider === 'radarvo' || view.provider === 'spidervo') return { ...form, provider: view.provider };
  const preset = str(s.preset);
  if ((PRESETS as readonly string[]).includes(preset)) return { ...form, provider: preset as ProviderChoice };
  const mapping = (s.mapping ?? {}) as { format?: { separator?: string }; fields?: Record<string, unknown> };
  const fields = mapping.fields ?? {};
  return {
    ...form,
    provider: 'csv_feed',
    separator: str(mapping.format?.separator),
    col_ref: names(fields.external_ref),
    col_make: names(fields.make),
    col_model: names(fields.model),
    col_plate: names(fields.plate),
    col_vin: names(fields.vin),
  };
}

/** The body of `PUT /api/accounts/{id}/stock-connection`. */
export function bodyFromForm(f: ConnectionForm): { provider: string; settings: Record<string, unknown> } {
  const trimmed = (s: string) => s.trim();
  if (f.provider === 'radarvo') {
    const settings: Record<string, unknown> = { base_url: trimmed(f.base_url), api_key: f.api_key };
    if (trimmed(f.per_page) !== '') settings.per_page = Number(trimmed(f.per_page));
    return { provider: 'radarvo', settings };
  }
  if (f.provider === 'spidervo') return { provider: 'spidervo', settings: { url: trimmed(f.url) } };
  const settings: Record<string, unknown> = { url: trimmed(f.url) };
  if (trimmed(f.username) !== '') settings.username = trimmed(f.username);
  if (f.password !== '') settings.password = f.password;
  if (f.provider === 'csv_feed') {
    const fields: Record<string, string[]> = {};
    const add = (key: string, value: string) => {
      if (list(value).length > 0) fields[key] = list(value);
    };
    add('external_ref', f.col_ref);
    add('make', f.col_make);
    add('model', f.col_model);
    add('plate', f.col_plate);
    add('vin', f.col_vin);
    const format: Record<string, unknown> = { type: 'csv' };
    if (f.separator.trim() !== '') format.separator = f.separator.trim() === '\\t' ? '\t' : f.separator.trim();
    settings.mapping = { source: 'csv_feed', format, fields };
  } else {
    settings.preset = f.provider;
  }
  return { provider: 'feed', settings };
}

/** Client-side checks, French, by form field; empty when the form may be sent. */
export function formProblems(f: ConnectionForm, stored: Set<SecretName>, sameProvider: boolean): Record<string, string> {
  const p: Record<string, string> = {};
  const isUrl = (s: string) => /^https?:\/\/\S+$/i.test(s.trim());
  if (f.provider === 'radarvo') {
    if (!isUrl(f.base_url)) p.base_url = "Indiquez l'adresse de l'API RadarVO (https://…).";
    if (f.api_key === '') {
      // The API replaces the whole connection and cannot keep a secret it never shows.
      p.api_key = stored.has('api_key') && sameProvider
        ? 'La clé actuelle est définie mais n\'est jamais réaffichée : ressaisissez-la pour enregistrer.'
        : 'Indiquez la clé API RadarVO.';
    }
    if (f.per_page.trim() !== '' && !/^\d+$/.test(f.per_page.trim())) p.per_page = 'Un nombre entier, de 1 à 1 000.';
  } else if (!isUrl(f.url)) {
    p.url = "Indiquez l'adresse du flux (http:// ou https://).";
  }
  if (usesBasicAuth(f.provider)) {
    // The API takes the identifier and the password together, or neither.
    const user = f.username.trim() !== '';
    if (f.password === '' && stored.has('password') && sameProvider) {
      p.password = 'Le mot de passe actuel est défini mais n\'est jamais réaffiché : ressaisissez-le pour le conserver.';
    } else if (user && f.password === '') {
      p.password = "Avec un identifiant, indiquez aussi le mot de passe (ou videz l'identifiant).";
    } else if (!user && f.password !== '') {
      p.username = "Avec un mot de passe, indiquez aussi l'identifiant.";
    }
  }
  if (f.provider === 'csv_feed') {
    if (list(f.col_make).length === 0) p.col_make = 'Indiquez la colonne de la marque.';
    if (list(f.col_model).length === 0) p.col_model = 'Indiquez la colonne du modèle.';
    if ([f.col_ref, f.col_plate, f.col_vin].every((c) => list(c).length === 0)) {
      p.col_plate = 'Indiquez au moins la colonne de la référence, de l\'immatriculation ou du VIN.';
    }
    const sep = f.separator.trim();
    if (sep !== '' && sep !== '\\t' && (sep.length !== 1 || /[A-Za-z0-9"]/.test(sep))) {
      p.separator = 'Un seul caractère, par exemple « ; » ou « , » (laisser vide pour le détecter).';
    }
  }
  return p;
}
