import fc from 'fast-check';
import { distance } from 'fastest-levenshtein';
import { checkPassword, longestCommonSubstring } from './password-policy';

describe('checkPassword', () => {
  const policy = { minLength: 8, maxBytes: 4096 };

  it('accepts a good password', () => {
    expect(checkPassword('correct horse battery', ['ada@example.com'], policy)).toBeUndefined();
  });

  it('reports a missing password', () => {
    expect(checkPassword('', [], policy)).toMatchObject({ id: 4000002, text: 'Property password is missing.' });
  });

  it("reports a short password with Kratos's wording", () => {
    expect(checkPassword('abc12', [], policy)).toEqual({
      id: 4000032,
      text: 'The password must be at least 8 characters long, but got 5.',
      type: 'error',
      context: { actual_length: 5, min_length: 8 },
    });
  });

  it('refuses a password too similar to an identifier', () => {
    expect(checkPassword('ada@example.com1', ['ada@example.com'], policy)).toMatchObject({ id: 4000031 });
    expect(checkPassword('xxada@exampyy', ['ada@example.com'], policy)).toMatchObject({ id: 4000031 });
  });

  it('refuses a huge password before the quadratic similarity checks', () => {
    const started = Date.now();
    expect(checkPassword('x'.repeat(5_000_000), ['ada@example.com'], policy)).toMatchObject({ id: 4000033 });
    expect(Date.now() - started).toBeLessThan(200);
  });

  it('applies the similarity rules exactly as computing both in full would', () => {
    // Small alphabets, so that similar pairs are common.
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '@', '.'), minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(text, fc.string({ unit: fc.constantFrom('a', 'b', 'c', '@', '.', 'd'), minLength: 8, maxLength: 60 }), (id, password) => {
        const full = distance(id, password) < 5 || longestCommonSubstring(id, password) / password.length > 0.5;
        expect(checkPassword(password, [id], policy)?.id === 4000031).toBe(full);
      }),
      { numRuns: 2000 },
    );
  });

  it('stays cheap for the longest identifier and password it accepts', () => {
    const started = performance.now();
    for (let i = 0; i < 10; i++) checkPassword(`${'x'.repeat(4096)}`, [`${'x'.repeat(64)}@${'y'.repeat(185)}.com`], policy);
    expect((performance.now() - started) / 10).toBeLessThan(50); // in practice well under 1 ms
  });

  it('refuses over 72 bytes when the hasher is bcrypt', () => {
    expect(checkPassword('a'.repeat(73), [], { minLength: 8, maxBytes: 72 })).toMatchObject({ id: 4000033 });
  });
});

describe('longestCommonSubstring', () => {
  it('finds the longest shared run', () => {
    expect(longestCommonSubstring('abcdef', 'zcdez')).toBe(3);
    expect(longestCommonSubstring('', 'x')).toBe(0);
  });
});
