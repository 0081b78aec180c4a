// Client-side checks mirroring shared/src/domain (same rules, same French messages),
// so the user sees a mistake before sending; the server stays the authority.

export const REQUIRED = 'Ce champ est obligatoire.';

export function checkRequired(value: string): string | undefined {
  return value.trim() === '' ? REQUIRED : undefined;
}

/** French postal codes: 5 digits (spaces allowed), 01000-98999. */
export function checkPostalCode(input: string, country = 'FR'): string | undefined {
  const trimmed = input.trim();
  if (trimmed === '') return 'Le code postal est obligatoire.';
  if (!FRENCH_POSTAL_COUNTRIES.has(country.trim().toUpperCase() || 'FR')) {
    const code = trimmed.split(/\s+/).join(' ').toUpperCase();
    if (!/^[A-Z0-9 -]{2,10}$/.test(code) || !/[A-Z0-9]/.test(code)) {
      return 'Le code postal doit comporter de 2 à 10 caractères : lettres, chiffres, espaces ou tirets.';
    }
    return undefined;
  }
  const digits = trimmed.replace(/\s/g, '');
  if (!/^\d{5}$/.test(digits)) return 'Le code postal doit comporter 5 chiffres.';
  if (digits < '01000' || digits > '98999') {
    return "Ce code postal n'existe pas : les codes postaux français vont de 01000 à 98999.";
  }
  return undefined;
}

// France and the territories using French postal codes (address.rs).
const FRENCH_POSTAL_COUNTRIES = new Set(['FR', 'MC', 'GP', 'MQ', 'GF', 'RE', 'YT', 'PM', 'BL', 'MF', 'NC', 'PF', 'WF']);

export function checkEmail(input: string): string | undefined {
  const trimmed = input.trim();
  if (trimmed === '') return "L'adresse e-mail est obligatoire.";
  if (/\s/.test(trimmed)) return "L'adresse e-mail ne doit pas contenir d'espace.";
  const email = trimmed.toLowerCase();
  if ([...email].length > 254) return "L'adresse e-mail ne doit pas dépasser 254 caractères.";
  const parts = email.split('@');
  if (parts.length !== 2) return "L'adresse e-mail doit contenir un et un seul « @ » (exemple : prenom.nom@exemple.fr).";
  const [local, domain] = parts;
  if (local === '') return "L'adresse e-mail n'est pas valide : il manque la partie avant le « @ ».";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f"(),:;<>[\\\]`]/.test(email)) return "L'adresse e-mail contient un caractère non autorisé.";
  if ([...local].length > 64 || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return "L'adresse e-mail n'est pas valide : il manque la partie avant le « @ ».";
  }
  if (!isValidDomain(domain)) {
    return "L'adresse e-mail n'est pas valide : le domaine après le « @ » doit ressembler à exemple.fr.";
  }
  return undefined;
}

function isValidDomain(domain: string): boolean {
  const labels = domain.split('.');
  const wellFormed =
    labels.length >= 2 &&
    labels.every((l) => l !== '' && [...l].length <= 63 && !l.startsWith('-') && !l.endsWith('-') && /^[\p{L}\p{N}-]+$/u.test(l));
  const tld = labels[labels.length - 1];
  return wellFormed && [...tld].length >= 2 && !/^\d+$/.test(tld);
}

export const PASSWORD_HINT =
  'Au moins 12 caractères. Évitez les mots de passe courants et votre adresse e-mail ; une phrase de plusieurs mots est facile à retenir et difficile à deviner.';

/** Length only (12-128 characters, counted as characters): the server also refuses common passwords. */
export function checkPassword(input: string): string | undefined {
  if ([...input].length > 128) return 'Le mot de passe ne doit pas dépasser 128 caractères.';
  if ([...input.trim()].length < 12) return 'Le mot de passe doit contenir au moins 12 caractères.';
  return undefined;
}

export function checkName(input: string): string | undefined {
  return input.trim() === '' ? 'Le nom est obligatoire.' : undefined;
}

/** Keeps only the errors that are set. */
export function compact<K extends string>(errors: Record<K, string | undefined>): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const [k, v] of Object.entries(errors) as [K, string | undefined][]) if (v) out[k] = v;
  return out;
}
