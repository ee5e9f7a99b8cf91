import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatTraitErrors, InvalidSchemaError, TraitValidator } from './trait-validator';

const quickstart = TraitValidator.fromJson(readFileSync(join(__dirname, 'bundled', 'quickstart-email-password.schema.json'), 'utf8'));
const multipleEmails = TraitValidator.fromJson(
  readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', 'identity-schemas', 'multiple-emails.schema.json'), 'utf8'),
);

function errorsOf(validator: TraitValidator, traits: unknown): string {
  const result = validator.validateTraits(traits);
  if (result.valid) throw new Error('expected invalid traits');
  return formatTraitErrors(result.errors);
}

describe('TraitValidator with the quickstart schema', () => {
  it('derives the password identifier and the addresses, lower-cased and trimmed', () => {
    const result = quickstart.validateTraits({ email: ' Foo@Example.COM ', name: { first: 'Ada' } });
    // the email format accepts no spaces, so validate the trimmed value separately below
    expect(result.valid).toBe(false);
    const ok = quickstart.validateTraits({ email: 'Foo@Example.COM', name: { first: 'Ada' } });
    expect(ok).toEqual({
      valid: true,
      derivations: {
        credentialIdentifiers: { password: ['foo@example.com'], webauthn: [] },
        verifiableAddresses: [{ value: 'foo@example.com', via: 'email' }],
        recoveryAddresses: [{ value: 'foo@example.com', via: 'email' }],
      },
    });
  });

  it('reports a missing required trait the way Kratos words it', () => {
    expect(errorsOf(quickstart, {})).toBe('I[#/traits] S[#/properties/traits/required] missing properties: "email"');
  });

  it('reports a wrong type with instance and schema pointers', () => {
    expect(errorsOf(quickstart, { email: 42 })).toBe('I[#/traits/email] S[#/properties/traits/properties/email/type] expected string, but got number');
  });

  it('reports an invalid email format once', () => {
    expect(errorsOf(quickstart, { email: 'not-an-email' })).toBe(
      'I[#/traits/email] S[#/properties/traits/properties/email/format] "not-an-email" is not valid "email"',
    );
  });

  it('reports additional properties and several causes on several lines', () => {
    const text = errorsOf(quickstart, { email: 'a@b.co', nick: 'x', name: { first: 1 } });
    expect(text.split('\n')).toHaveLength(2);
    expect(text).toContain('additionalProperties "nick" not allowed');
    expect(text).toContain('I[#/traits/name/first] S[#/properties/traits/properties/name/properties/first/type] expected string, but got number');
  });

  it('refuses null traits (what a PUT without traits sends)', () => {
    expect(errorsOf(quickstart, null)).toBe('I[#/traits] S[#/properties/traits/type] expected object, but got null');
  });

  it('checks minLength with Kratos wording', () => {
    expect(errorsOf(quickstart, { email: 'a@' })).toContain('length must be >= 3, but got 2');
  });
});

describe('TraitValidator with the multiple-emails schema (array items carry the extension)', () => {
  it('derives identifiers and addresses from every array item, deduplicated, in order', () => {
    const result = multipleEmails.validateTraits({ emails: ['B@x.io', 'a@x.io', 'b@X.io'], username: 'Admin@x.io' });
    expect(result).toEqual({
      valid: true,
      derivations: {
        credentialIdentifiers: { password: ['b@x.io', 'a@x.io'], webauthn: [] },
        verifiableAddresses: [
          { value: 'b@x.io', via: 'email' },
          { value: 'a@x.io', via: 'email' },
        ],
        recoveryAddresses: [
          { value: 'b@x.io', via: 'email' },
          { value: 'a@x.io', via: 'email' },
          { value: 'admin@x.io', via: 'email' },
        ],
      },
    });
  });

  it('requires a verification/recovery email to be an email even without "format" in the schema', () => {
    expect(errorsOf(multipleEmails, { emails: ['nope'] })).toBe(
      'I[#/traits/emails/0] S[#/properties/traits/properties/emails/items/ory.sh~1kratos] "nope" is not valid "email"',
    );
  });

  it('accepts traits with nothing to derive', () => {
    expect(multipleEmails.validateTraits({})).toEqual({
      valid: true,
      derivations: { credentialIdentifiers: { password: [], webauthn: [] }, verifiableAddresses: [], recoveryAddresses: [] },
    });
  });
});

describe('TraitValidator schema checks', () => {
  it('refuses a schema that is not JSON', () => {
    expect(() => TraitValidator.fromJson('{')).toThrow(InvalidSchemaError);
  });

  it('refuses an unknown key inside the ory.sh/kratos extension', () => {
    const schema = {
      type: 'object',
      properties: { traits: { type: 'object', properties: { e: { type: 'string', 'ory.sh/kratos': { credentials: { passwd: {} } } } } } },
    };
    expect(() => new TraitValidator(schema)).toThrow(InvalidSchemaError);
  });

  it('refuses an unknown verification channel', () => {
    const schema = {
      type: 'object',
      properties: { traits: { type: 'object', properties: { e: { type: 'string', 'ory.sh/kratos': { verification: { via: 'pigeon' } } } } } },
    };
    expect(() => new TraitValidator(schema)).toThrow(InvalidSchemaError);
  });

  it('supports phone verification addresses through the tel format', () => {
    const schema = {
      type: 'object',
      properties: { traits: { type: 'object', properties: { phone: { type: 'string', 'ory.sh/kratos': { verification: { via: 'sms' } } } } } },
    };
    const v = new TraitValidator(schema);
    expect(v.validateTraits({ phone: '+4915112345678' })).toMatchObject({
      valid: true,
      derivations: { verifiableAddresses: [{ value: '+4915112345678', via: 'sms' }] },
    });
    expect(v.validateTraits({ phone: 'call me' }).valid).toBe(false);
  });

  it('compiles draft 2020-12 schemas', () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { traits: { type: 'object', properties: { a: { type: 'string' } } } },
    };
    expect(new TraitValidator(schema).validateTraits({ a: 'x' }).valid).toBe(true);
  });
});
