// The one way the frontend talks to the portal's API: same origin, cookie session,
// JSON in and out, problem+json errors turned into ApiError with the French `detail`.

export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiError extends Error {
  status: number;
  code: string;
  detail: string;
  errors: FieldProblem[];

  constructor(status: number, code: string, detail: string, errors: FieldProblem[] = []) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.errors = errors;
  }
}

export interface ApiInit {
  method?: string;
  body?: unknown;
  rawBody?: BodyInit;
  contentType?: string;
  signal?: AbortSignal;
}

const NETWORK_DETAIL =
  'Le serveur est injoignable. Vérifiez votre connexion puis réessayez.';

/** Called when a request answers 401 on a signed-in page (session expired). */
let onUnauthorized: (() => void) | null = null;
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

export async function api<T>(path: string, init: ApiInit = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: BodyInit | undefined;
  if (init.rawBody !== undefined) {
    body = init.rawBody;
    if (init.contentType) headers['Content-Type'] = init.contentType;
  } else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['Content-Type'] = init.contentType ?? 'application/json';
  }

  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      credentials: 'same-origin',
      signal: init.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network_error', NETWORK_DETAIL);
  }

  if (!res.ok) throw await toApiError(res);
  if (res.status === 204 || res.status === 202 && res.headers.get('content-length') === '0') {
    return undefined as T;
  }
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) return (await res.json()) as T;
  const text = await res.text();
  return (text === '' ? undefined : text) as T;
}

async function toApiError(res: Response): Promise<ApiError> {
  let problem: { code?: string; detail?: string; title?: string; errors?: FieldProblem[] } = {};
  try {
    problem = await res.json();
  } catch {
    // Not JSON (a proxy error page): fall back to a generic French message.
  }
  const error = new ApiError(
    res.status,
    problem.code ?? `http_${res.status}`,
    problem.detail ?? problem.title ?? fallbackDetail(res.status),
    Array.isArray(problem.errors) ? problem.errors : [],
  );
  if (res.status === 401 && onUnauthorized && error.code !== 'invalid_credentials') {
    onUnauthorized();
  }
  return error;
}

function fallbackDetail(status: number): string {
  if (status >= 500) return 'Le service est momentanément indisponible. Réessayez dans un instant.';
  if (status === 404) return 'Élément introuvable.';
  if (status === 403) return "Vous n'avez pas le droit d'effectuer cette action.";
  if (status === 401) return 'Votre session a expiré. Reconnectez-vous.';
  return 'La requête a échoué.';
}

/** The message the server gave for one field, if any (to show next to that field). */
export function fieldError(err: unknown, field: string): string | undefined {
  if (!(err instanceof ApiError)) return undefined;
  return err.errors.find((e) => e.field === field)?.message;
}

/** A French message for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.detail;
  return 'Une erreur inattendue est survenue.';
}

/** Builds a query string, skipping empty values. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
