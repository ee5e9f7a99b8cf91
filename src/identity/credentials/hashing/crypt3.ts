import { createHash } from 'node:crypto';

/**
 * The crypt(3) schemes Kratos imports: MD5-crypt (`$1$`, FreeBSD/phk) and SHA-256/SHA-512-crypt (`$5$`/`$6$`,
 * Drepper's specification). Hand-written on node:crypto because the npm implementations compute SHA-crypt in one
 * synchronous call (unixcrypt: a 650 000-round hash would hold the event loop for a second) or get the empty MD5 salt
 * wrong; checked against OpenSSL and Kratos's vectors. Here SHA-crypt rounds run in slices that yield to the event loop.
 */

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function to64(value: number, length: number): string {
  let out = '';
  let v = value;
  for (let i = 0; i < length; i++) {
    out += ITOA64[v & 0x3f];
    v >>>= 6;
  }
  return out;
}

function encodeTriples(bytes: Buffer, triples: Array<[number, number, number]>): string {
  return triples.map(([a, b, c]) => to64((bytes[a] << 16) | (bytes[b] << 8) | bytes[c], 4)).join('');
}

/** MD5-crypt; `salt` is at most 8 characters and may be empty. Returns `$1$<salt>$<hash>`. */
export function md5Crypt(password: string, salt: string): string {
  const pw = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt.slice(0, 8), 'utf8');
  const magic = Buffer.from('$1$');
  const alt = createHash('md5').update(pw).update(s).update(pw).digest();
  const ctx = createHash('md5').update(pw).update(magic).update(s);
  for (let left = pw.length; left > 0; left -= 16) ctx.update(alt.subarray(0, Math.min(left, 16)));
  for (let i = pw.length; i > 0; i >>>= 1) ctx.update(i & 1 ? Buffer.from([0]) : pw.subarray(0, 1));
  let final = ctx.digest();
  for (let i = 0; i < 1000; i++) {
    const round = createHash('md5');
    round.update(i & 1 ? pw : final);
    if (i % 3) round.update(s);
    if (i % 7) round.update(pw);
    round.update(i & 1 ? final : pw);
    final = round.digest();
  }
  const encoded =
    encodeTriples(final, [
      [0, 6, 12],
      [1, 7, 13],
      [2, 8, 14],
      [3, 9, 15],
      [4, 10, 5],
    ]) + to64(final[11], 2);
  return `$1$${s.toString('utf8')}$${encoded}`;
}

type ShaVariant = 'sha256' | 'sha512';

const SHA256_ORDER: Array<[number, number, number]> = [
  [0, 10, 20],
  [21, 1, 11],
  [12, 22, 2],
  [3, 13, 23],
  [24, 4, 14],
  [15, 25, 5],
  [6, 16, 26],
  [27, 7, 17],
  [18, 28, 8],
  [9, 19, 29],
];
const SHA512_ORDER: Array<[number, number, number]> = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
];

export const SHA_CRYPT_DEFAULT_ROUNDS = 5000;
const ROUNDS_PER_SLICE = 20_000;

function repeatTo(source: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += source.length) source.copy(out, i, 0, Math.min(source.length, length - i));
  return out;
}

/**
 * SHA-256-crypt / SHA-512-crypt. Returns `$5$`/`$6$`, with `rounds=N$` when `rounds` was given explicitly,
 * as crypt(3) does. Rounds are clamped to 1000..999999999 as the specification says.
 */
export async function shaCrypt(variant: ShaVariant, password: string, salt: string, rounds?: number): Promise<string> {
  const hash = () => createHash(variant);
  const P = Buffer.from(password, 'utf8');
  const S = Buffer.from(salt.slice(0, 16), 'utf8');
  const n = Math.min(Math.max(rounds ?? SHA_CRYPT_DEFAULT_ROUNDS, 1000), 999_999_999);
  const size = variant === 'sha256' ? 32 : 64;

  const B = hash().update(P).update(S).update(P).digest();
  const a = hash().update(P).update(S);
  for (let left = P.length; left > 0; left -= size) a.update(B.subarray(0, Math.min(left, size)));
  for (let i = P.length; i > 0; i >>>= 1) a.update(i & 1 ? B : P);
  let C = a.digest();

  const dp = hash();
  for (let i = 0; i < P.length; i++) dp.update(P);
  const Pp = repeatTo(dp.digest(), P.length);
  const ds = hash();
  for (let i = 0; i < 16 + C[0]; i++) ds.update(S);
  const Sp = repeatTo(ds.digest(), S.length);

  for (let i = 0; i < n; i++) {
    const round = hash();
    round.update(i & 1 ? Pp : C);
    if (i % 3) round.update(Sp);
    if (i % 7) round.update(Pp);
    round.update(i & 1 ? C : Pp);
    C = round.digest();
    if ((i + 1) % ROUNDS_PER_SLICE === 0) await new Promise((r) => setImmediate(r));
  }

  const encoded = variant === 'sha256' ? encodeTriples(C, SHA256_ORDER) + to64((C[31] << 8) | C[30], 3) : encodeTriples(C, SHA512_ORDER) + to64(C[63], 2);
  const id = variant === 'sha256' ? '5' : '6';
  const roundsPart = rounds !== undefined ? `rounds=${n}$` : '';
  return `$${id}$${roundsPart}${S.toString('utf8')}$${encoded}`;
}
