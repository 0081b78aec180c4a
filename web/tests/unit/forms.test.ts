import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/client';
import { splitServerErrors } from '../../src/ui/formErrors';
import { checkDrafts } from '../../src/pages/customer/wizard/CheckVehiclesStep';
import { safeNext } from '../../src/pages/auth/SignInPage';
import type { Vehicle } from '../../src/api/types';

describe('splitServerErrors', () => {
  it('puts field messages next to the form fields and keeps the detail for the others', () => {
    const err = new ApiError(422, 'validation_failed', 'Certains champs sont invalides.', [
      { field: 'postal_code', message: 'Le code postal doit comporter 5 chiffres.' },
      { field: 'account_id', message: 'Inconnu.' },
    ]);
    expect(splitServerErrors(err, ['postal_code', 'city'])).toEqual({
      fields: { postal_code: 'Le code postal doit comporter 5 chiffres.' },
      general: 'Certains champs sont invalides.',
    });
  });
  it('needs no alert when every problem sits next to its field', () => {
    const err = new ApiError(422, 'validation_failed', 'x', [{ field: 'city', message: 'Ce champ est obligatoire.' }]);
    expect(splitServerErrors(err, ['city']).general).toBeNull();
  });
  it('shows the detail of errors without fields', () => {
    const err = new ApiError(409, 'conflict', 'Les données ont changé entre-temps.');
    expect(splitServerErrors(err, ['city'])).toEqual({ fields: {}, general: 'Les données ont changé entre-temps.' });
  });
});

describe('checkDrafts (wizard step 2)', () => {
  const vehicle = { id: 'v' } as Vehicle;
  it('names the fields as the server does', () => {
    const errors = checkDrafts([
      { vehicle, make: ' ', model: 'x'.repeat(61), plate: 'AB-123-CD' },
      { vehicle, make: 'Renault', model: 'Clio', plate: 'ab123cd' },
    ]);
    expect(errors).toEqual({
      'vehicles[0].make': 'Ce champ est obligatoire.',
      'vehicles[0].model': '60 caractères au plus.',
      'vehicles[1].plate': 'Deux véhicules du lot ont cette immatriculation.',
    });
  });
});

describe('safeNext', () => {
  it('follows only paths of the portal', () => {
    expect(safeNext('/commandes/42')).toBe('/commandes/42');
    expect(safeNext('//evil.example')).toBe('/');
    expect(safeNext('https://evil.example')).toBe('/');
    expect(safeNext('/\\evil.example')).toBe('/');
    expect(safeNext(null)).toBe('/');
  });
});
