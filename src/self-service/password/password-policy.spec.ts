import { checkPassword, longestCommonSubstring } from './password-policy';

describe('checkPassword', () => {
  const policy = { minLength: 8, maxBytes: 4096 };

  it('accepts a good password', () => {
    expect(checkPassword('correct horse battery', ['ada@example.com'], policy)).toBeUndefined();
  });

  it('reports a missing password', () => {
    expect(checkPassword('', [], policy)).toMatchObject({ id: 4000002, text: 'Property password is missing.' });
  });

  it('reports a short password with Kratos\'s wording', () => {
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
