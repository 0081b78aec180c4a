// Mirrors shared/src/domain/plate.rs: the server accepts any plate of 2-12 letters/digits,
// classifies it (SIV, FNI, W garage, WW temporary, other) and warns on doubtful ones.

export type PlateKind = 'siv' | 'fni' | 'garage' | 'temporary' | 'other';

export interface PlateCheck {
  /** Uppercase letters and digits only (`AB123CD`). */
  normalized: string;
  kind: PlateKind;
  /** The usual layout (`AB-123-CD`, `123 ABC 45`, `W-123-AB`). */
  display: string;
  warning?: string;
}

export type PlateResult = { ok: true; plate: PlateCheck } | { ok: false; error: string };

const MIN = 2;
const MAX = 12;
const RAW_MAX = 32;

function isSeparator(c: string): boolean {
  return /[-.\u2010-\u2015\u2212]/.test(c) || /\s/.test(c);
}

function showChar(c: string): string {
  const code = c.codePointAt(0)!;
  if (code < 0x20 || (code >= 0x7f && code < 0xa0) || (/\s/.test(c) && c !== ' ') || c === '\ufeff') {
    return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return `« ${c} »`;
}

const isUpper = (c: string) => c >= 'A' && c <= 'Z';
const isDigit = (c: string) => c >= '0' && c <= '9';
const isSivLetter = (c: string) => isUpper(c) && c !== 'I' && c !== 'O' && c !== 'U';
const every = (s: string, pred: (c: string) => boolean) => [...s].every(pred);

function sivShape(s: string): [string, string, string] | null {
  if (s.length !== 7) return null;
  const [l, n, r] = [s.slice(0, 2), s.slice(2, 5), s.slice(5)];
  return every(l, isUpper) && every(n, isDigit) && every(r, isUpper) ? [l, n, r] : null;
}

function isFniDepartment(d: string): boolean {
  if (d === '2A' || d === '2B') return true;
  if (/^\d\d$/.test(d)) {
    const n = Number(d);
    return n >= 1 && n <= 95;
  }
  return /^97[1-6]$/.test(d);
}

function fniShape(s: string): [string, string, string] | null {
  const digits = /^\d*/.exec(s)![0].length;
  if (digits < 1 || digits > 4) return null;
  const letters = /^[A-Z]*/.exec(s.slice(digits))![0].length;
  if (letters < 1 || letters > 3) return null;
  const number = s.slice(0, digits);
  const series = s.slice(digits, digits + letters);
  const department = s.slice(digits + letters);
  return isFniDepartment(department) ? [number, series, department] : null;
}

function isSivGarage(s: string): boolean {
  return s.length === 6 && s[0] === 'W' && every(s.slice(1, 4), isDigit) && s.slice(1, 4) !== '000' && every(s.slice(4), isSivLetter);
}

function sivProblem(l: string, n: string, r: string): string | null {
  if (!every(l, isSivLetter) || !every(r, isSivLetter)) return "les lettres I, O et U n'y sont jamais utilisées";
  if (n === '000') return "le numéro 000 n'est jamais attribué";
  if (l === 'SS' || r === 'SS') return "la série SS n'est jamais attribuée";
  return null;
}

const OTHER_WARNING =
  "Format d'immatriculation non reconnu (ni AB-123-CD, ni 123 ABC 45) : l'immatriculation est acceptée telle quelle, vérifiez-la s'il s'agit d'un véhicule immatriculé en France.";

function classify(s: string): { kind: PlateKind; display: string; warning?: string } {
  const siv = sivShape(s);
  if (siv) {
    const problem = sivProblem(...siv);
    if (problem) {
      return {
        kind: 'other',
        display: s,
        warning: `Cette immatriculation a la forme d'une plaque française (AB-123-CD) mais ${problem} : vérifiez la saisie.`,
      };
    }
    return { kind: siv[0] === 'WW' ? 'temporary' : 'siv', display: siv.join('-') };
  }
  if (isSivGarage(s)) return { kind: 'garage', display: `${s[0]}-${s.slice(1, 4)}-${s.slice(4)}` };
  const fni = fniShape(s);
  if (fni) {
    const kind: PlateKind = fni[1] === 'W' ? 'garage' : fni[1] === 'WW' ? 'temporary' : 'fni';
    return { kind, display: fni.join(' ') };
  }
  return { kind: 'other', display: s, warning: OTHER_WARNING };
}

export function checkPlate(input: string): PlateResult {
  const trimmed = input.trim();
  if (trimmed === '') return { ok: false, error: "L'immatriculation est obligatoire." };
  let compact = '';
  let count = 0;
  for (const c of trimmed) {
    if (count++ >= RAW_MAX) return { ok: false, error: tooLong };
    if (isSeparator(c)) continue;
    if (!/^[A-Za-z0-9]$/.test(c)) {
      return {
        ok: false,
        error: `L'immatriculation contient un caractère non autorisé : ${showChar(c)}. Seuls les lettres, les chiffres, les espaces, les tirets et les points sont acceptés.`,
      };
    }
    compact += c.toUpperCase();
  }
  if (compact === '') return { ok: false, error: "L'immatriculation est obligatoire." };
  if (compact.length > MAX) return { ok: false, error: tooLong };
  if (compact.length < MIN) return { ok: false, error: "L'immatriculation est trop courte (au moins 2 lettres ou chiffres)." };
  return { ok: true, plate: { normalized: compact, ...classify(compact) } };
}

const tooLong = "L'immatriculation est trop longue (12 lettres ou chiffres au maximum, hors séparateurs).";

export const PLATE_KIND_LABELS: Record<PlateKind, string> = {
  siv: 'SIV',
  fni: 'FNI (ancien format)',
  garage: 'W garage',
  temporary: 'Provisoire (WW)',
  other: 'Autre (étrangère)',
};
