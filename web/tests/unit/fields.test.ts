import { describe, expect, it } from 'vitest';
import { checkEmail, checkPassword, checkPostalCode, compact } from '../../src/validation/fields';

describe('checkPostalCode', () => {
  it('accepts French codes, with spaces', () => {
    expect(checkPostalCode('75012')).toBeUndefined();
    expect(checkPostalCode('75 012')).toBeUndefined();
    expect(checkPostalCode('97400', 'RE')).toBeUndefined();
  });
  it('refuses other French shapes with the server message', () => {
    expect(checkPostalCode('')).toBe('Le code postal est obligatoire.');
    expect(checkPostalCode('7501')).toBe('Le code postal doit comporter 5 chiffres.');
    expect(checkPostalCode('7501A')).toBe('Le code postal doit comporter 5 chiffres.');
    expect(checkPostalCode('00999')).toMatch(/01000 à 98999/);
  });
  it('is lenient abroad', () => {
    expect(checkPostalCode('SW1A 1AA', 'GB')).toBeUndefined();
    expect(checkPostalCode('1', 'BE')).toMatch(/de 2 à 10 caractères/);
  });
});

describe('checkEmail', () => {
  it.each(['jean.dupont@garage-dupont.fr', ' Chef@Dupont.FR '])('accepts %s', (e) => expect(checkEmail(e)).toBeUndefined());
  it.each([
    ['', "L'adresse e-mail est obligatoire."],
    ['jean dupont@x.fr', "L'adresse e-mail ne doit pas contenir d'espace."],
    ['jean.dupont.fr', /un et un seul « @ »/],
    ['a@b@c.fr', /un et un seul « @ »/],
    ['@dupont.fr', /avant le « @ »/],
    ['jean@dupont', /domaine/],
    ['jean@dupont.1', /domaine/],
    ['jean;x@dupont.fr', /caractère non autorisé/],
  ])('refuses %s', (input, message) => {
    const got = checkEmail(input);
    if (typeof message === 'string') expect(got).toBe(message);
    else expect(got).toMatch(message);
  });
});

describe('checkPassword', () => {
  it('counts characters, not bytes, and trims for the minimum', () => {
    expect(checkPassword('éàèùçôâêîûëï')).toBeUndefined();
    expect(checkPassword('Kx7#mQ2$vL9')).toBe('Le mot de passe doit contenir au moins 12 caractères.');
    expect(checkPassword('  Kx7#mQ2$vL9  ')).toBe('Le mot de passe doit contenir au moins 12 caractères.');
    expect(checkPassword('é'.repeat(128))).toBeUndefined();
    expect(checkPassword('a'.repeat(129))).toBe('Le mot de passe ne doit pas dépasser 128 caractères.');
  });
});

describe('compact', () => {
  it('keeps set messages only', () => {
    expect(compact({ a: undefined, b: 'x' })).toEqual({ b: 'x' });
  });
});
