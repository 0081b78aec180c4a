import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, fieldError, query } from '../../src/api/client';

function respond(status: number, body: unknown, type = 'application/problem+json') {
  vi.stubGlobal('fetch', vi.fn(async () => new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': type } })));
}

/** The ApiError a call throws. */
async function failure(call: Promise<unknown>): Promise<ApiError> {
  return call.then(() => { throw new Error('expected an error'); }, (e: ApiError) => e);
}

describe('api', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('turns problem+json into ApiError with the French detail and field errors', async () => {
    respond(422, { status: 422, code: 'validation_failed', detail: 'Le code postal doit comporter 5 chiffres.', errors: [{ field: 'postal_code', message: 'Le code postal doit comporter 5 chiffres.' }] });
    const err = await failure(api('/api/addresses', { body: {} }));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(422);
    expect(err.code).toBe('validation_failed');
    expect(err.detail).toBe('Le code postal doit comporter 5 chiffres.');
    expect(fieldError(err, 'postal_code')).toMatch(/5 chiffres/);
    expect(fieldError(err, 'city')).toBeUndefined();
  });

  it('answers undefined on 204 and JSON otherwise', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(null, { status: 204 })));
    expect(await api('/api/auth/logout', { method: 'POST' })).toBeUndefined();
    respond(200, { status: 'ok' }, 'application/json');
    expect(await api('/api/health')).toEqual({ status: 'ok' });
  });

  it('sends JSON with the cookie and names a network failure in French', async () => {
    const fetchMock = vi.fn(async () => { throw new TypeError('Failed to fetch'); });
    vi.stubGlobal('fetch', fetchMock);
    const err = await failure(api('/api/quotes', { body: { a: 1 } }));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('network_error');
    expect(err.detail).toMatch(/injoignable/);
    const [, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('same-origin');
    expect((init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
    expect(init.body).toBe('{"a":1}');
  });

  it('falls back to a French message when the error is not JSON', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('<html>Bad gateway</html>', { status: 502 })));
    const err = await failure(api('/api/orders'));
    expect(err.detail).toMatch(/indisponible/);
  });
});

describe('query', () => {
  it('skips empty values', () => {
    expect(query({ status: '', q: 'BC-1', limit: 50, x: undefined })).toBe('?q=BC-1&limit=50');
    expect(query({})).toBe('');
  });
});
