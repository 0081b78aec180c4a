import { ApiError } from '../api/client';

// Splits a server error into messages for the form's own fields and one for the top alert.
export interface SplitErrors {
  fields: Record<string, string>;
  /** Shown above the form: the `detail`, unless every problem sits next to its field. */
  general: string | null;
}

export function splitServerErrors(err: unknown, formFields: string[]): SplitErrors {
  if (!(err instanceof ApiError)) return { fields: {}, general: 'Une erreur inattendue est survenue.' };
  const fields: Record<string, string> = {};
  const elsewhere: string[] = [];
  for (const e of err.errors) {
    if (formFields.includes(e.field) && !fields[e.field]) fields[e.field] = e.message;
    else elsewhere.push(e.message);
  }
  const allPlaced = err.errors.length > 0 && elsewhere.length === 0;
  return { fields, general: allPlaced ? null : err.detail };
}

/** Moves focus to the first invalid control so keyboard and screen-reader users land on it. */
export function focusFirstError(form: HTMLFormElement | null): void {
  requestAnimationFrame(() => {
    const el = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
    el?.focus();
  });
}
