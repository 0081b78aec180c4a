import { describe, expect, it } from 'vitest';
import { checkPlate } from '../../src/validation/plate';

// Same cases as shared/src/domain/plate.rs: kinds, layout, warnings and errors.
describe('checkPlate', () => {
  it.each([
    ['AB-123-CD', 'siv', 'AB-123-CD'],
    ['ab 123 cd', 'siv', 'AB-123-CD'],
    ['ab123cd', 'siv', 'AB-123-CD'],
    ['1234 AB 56', 'fni', '1234 AB 56'],
    ['123 abc 2a', 'fni', '123 ABC 2A'],
    ['45 AB 974', 'fni', '45 AB 974'],
    ['W-123-AB', 'garage', 'W-123-AB'],
    ['1234 W 75', 'garage', '1234 W 75'],
    ['WW-123-AB', 'temporary', 'WW-123-AB'],
  ])('%s is %s, shown as %s', (input, kind, display) => {
    const r = checkPlate(input);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.plate.kind).toBe(kind);
      expect(r.plate.display).toBe(display);
      expect(r.plate.warning).toBeUndefined();
    }
  });

  it('accepts foreign plates with a warning', () => {
    const r = checkPlate('B-XY 1234');
    expect(r.ok && r.plate.kind).toBe('other');
    expect(r.ok && r.plate.warning).toMatch(/Format d'immatriculation non reconnu/);
  });

  it('warns on SIV shapes never issued', () => {
    const r = checkPlate('AI-123-CD');
    expect(r.ok && r.plate.warning).toMatch(/I, O et U/);
    expect(checkPlate('AB-000-CD').ok && (checkPlate('AB-000-CD') as { plate: { warning?: string } }).plate.warning).toMatch(/000/);
    const ss = checkPlate('SS-123-AB');
    expect(ss.ok && ss.plate.warning).toMatch(/SS/);
  });

  it('refuses empty, short, long and odd characters', () => {
    expect(checkPlate('  ')).toEqual({ ok: false, error: "L'immatriculation est obligatoire." });
    expect(checkPlate('--')).toEqual({ ok: false, error: "L'immatriculation est obligatoire." });
    expect(checkPlate('A')).toEqual({ ok: false, error: "L'immatriculation est trop courte (au moins 2 lettres ou chiffres)." });
    expect(checkPlate('ABCDEFGHIJKLM').ok).toBe(false);
    const bad = checkPlate('AB-12!-CD');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toContain('« ! »');
    const tab = checkPlate('AB\u00a0123');
    expect(tab.ok).toBe(true); // a no-break space is a separator
  });

  it('a department out of range is not FNI', () => {
    const r = checkPlate('123 AB 96');
    expect(r.ok && r.plate.kind).toBe('other');
  });
});
