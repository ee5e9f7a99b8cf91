import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkImportedHash, detectHashFormat, HashFormatError, verifyPasswordHash } from './hash-formats';

interface Vector {
  format: string;
  password: string;
  hash: string;
}

const { vectors } = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'kratos-hash-vectors.json'), 'utf8')) as {
  vectors: Vector[];
};

describe('Kratos hash vectors', () => {
  it('has a vector for every format', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(31);
  });

  it.each(vectors.map((v) => [v.format, v] as const))(
    '%s: accepted for import, verifies, rejects a wrong password',
    async (_f, v) => {
      expect(() => checkImportedHash(v.hash)).not.toThrow();
      await expect(verifyPasswordHash(v.password, v.hash)).resolves.toBe(true);
      await expect(verifyPasswordHash(`${v.password}x`, v.hash)).resolves.toBe(false);
    },
    20_000,
  );
});

describe('checkImportedHash', () => {
  it('refuses unknown formats', () => {
    expect(() => checkImportedHash('plaintext')).toThrow(expect.objectContaining({ problem: 'unknown' }));
    expect(() => checkImportedHash('$unknown$abc')).toThrow(HashFormatError);
  });

  it('tells malformed hashes from hashes whose costs are out of bounds', () => {
    expect(() => checkImportedHash('$2a$10$short')).toThrow(expect.objectContaining({ problem: 'malformed' }));
    expect(() => checkImportedHash('$2a$16$ZsCsoVQ3xfBG/K2z2XpBf.tm90GZmtOqtqWcB5.pYd5Eq8y7RlDyq')).toThrow(expect.objectContaining({ problem: 'bounds' }));
  });

  it.each([
    ['bcrypt with a truncated body', '$2a$10$short'],
    ['bcrypt cost above the bound', '$2a$32$ZsCsoVQ3xfBG/K2z2XpBf.tm90GZmtOqtqWcB5.pYd5Eq8y7RlDyq'],
    ['argon2 memory above 1 GiB', '$argon2id$v=19$m=2097152,t=2,p=1$bVI1aE1SaTV6SGQ3bzdXdw$fnjCcZYmEPOUOjYXsT92Cg'],
    ['argon2 with too many iterations', '$argon2id$v=19$m=16,t=11,p=1$bVI1aE1SaTV6SGQ3bzdXdw$fnjCcZYmEPOUOjYXsT92Cg'],
    ['argon2 with a wrong version', '$argon2id$v=16$m=16,t=2,p=1$bVI1aE1SaTV6SGQ3bzdXdw$fnjCcZYmEPOUOjYXsT92Cg'],
    ['argon2 with a missing parameter', '$argon2id$v=19$m=16,p=1$bVI1aE1SaTV6SGQ3bzdXdw$fnjCcZYmEPOUOjYXsT92Cg'],
    ['pbkdf2 with too many iterations', '$pbkdf2-sha256$i=20000000,l=32$e8/arsEf4cvQihdNgqj0Nw$5xQQKNTyeTHx2Ld5/JDE7A'],
    ['pbkdf2 with a non-numeric count', '$pbkdf2-sha256$i=x,l=32$e8/arsEf4cvQihdNgqj0Nw$5xQQKNTyeTHx2Ld5/JDE7A'],
    ['scrypt with N not a power of two', '$scrypt$ln=1000,r=8,p=1$ZtQva9xCHzlSELH/mA7Kj5KjH2tCrkbwYzdxknkL0QQ=$pnTcXKaWVT+FwFDdk3vO1K0J7ZgOxdSU1tCJNYmn8zI='],
    ['scrypt with N above the bound', '$scrypt$ln=262144,r=8,p=1$ZtQva9xCHzlSELH/mA7Kj5KjH2tCrkbwYzdxknkL0QQ=$pnTcXKaWVT+FwFDdk3vO1K0J7ZgOxdSU1tCJNYmn8zI='],
    [
      'sha512-crypt with too many rounds',
      '$sha512-crypt$rounds=9999999$3LVbIAVxR//cRajw$uuNasMW.RYxlGzIRFU1Was70BPSa933AjxhZIGJdJBOlqJAHlgqa0yuiuq5JHF/ryNGryJkj87G9i3G2HPSXg1',
    ],
    ['md5 that is not 16 bytes', '$md5$AAAA'],
    ['hmac with an unknown function', '$hmac-whirlpool$YWJj$MTIz'],
    ['ssha without a salt', '{SSHA}' + Buffer.alloc(20).toString('base64')],
  ])('refuses %s', (_what, hash) => {
    expect(() => checkImportedHash(hash)).toThrow(HashFormatError);
  });

  it("detects formats in Kratos's order", () => {
    expect(detectHashFormat('$2y$10$x')?.name).toBe('bcrypt');
    expect(detectHashFormat('$pbkdf2-sha3$x')?.name).toBe('pbkdf2');
    expect(detectHashFormat('$md5-crypt$x')?.name).toBe('md5-crypt');
  });
});
