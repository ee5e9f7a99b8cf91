import { createCipheriv, createHash, createHmac, pbkdf2Sync, scryptSync, timingSafeEqual } from 'node:crypto';
import { verifySync as argon2Verify } from '@node-rs/argon2';
import { verifySync as bcryptVerify } from '@node-rs/bcrypt';
import md4 from 'js-md4';
import { md5Crypt, shaCrypt } from './crypt3';

/**
 * Every password-hash format Kratos imports, detected in Kratos's order (hash/hash_comparator.go), each with a strict
 * parser (structure and the bounds Kratos enforces on costly parameters) and a verifier.
 */

/** Why an imported hash was refused: no known format, a malformed body, or costly parameters out of bounds. */
export type HashProblem = 'unknown' | 'malformed' | 'bounds';

export class HashFormatError extends Error {
  constructor(
    readonly problem: HashProblem,
    message: string,
  ) {
    super(message);
  }
}

export interface HashFormat {
  name: string;
  matches(hash: string): boolean;
  /** Throws HashFormatError when the hash is malformed or its parameters are out of bounds. */
  check(hash: string): void;
  /**
   * Computes on the calling thread, native hashes included (a promise only where the computation yields between
   * slices): it runs on a hashing worker thread (hash-worker.ts), never on the event loop.
   */
  verify(password: string, hash: string): boolean | Promise<boolean>;
}

/** Bounds on costly parameters, as Kratos enforces them at import (a hash outside them could stall logins). */
export const HASH_BOUNDS = {
  bcryptCost: 15,
  argon2: { memoryKiB: 1024 * 1024, iterations: 10, parallelism: 16, keyLength: 1024 },
  pbkdf2Iterations: 10_000_000,
  scrypt: { n: 2 ** 17, r: 8, p: 10 },
  firescrypt: { log2n: 17, r: 8, p: 10 },
  /** Kratos does not bound sha-crypt rounds; one million keeps the slowest login near a second. */
  shaCryptRounds: 1_000_000,
} as const;

function fail(format: string, why: string): never {
  throw new HashFormatError('malformed', `${format}: ${why}`);
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

function b64(format: string, text: string, what: string): Buffer {
  if (!B64.test(text)) fail(format, `${what} is not base64`);
  return Buffer.from(text, 'base64');
}

function int(format: string, text: string | undefined, what: string): number {
  if (text === undefined || !/^\d{1,12}$/.test(text)) fail(format, `${what} is not a number`);
  return Number(text);
}

/** Parses `a=1,b=2` parameter lists. */
function params(format: string, text: string, keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pair of text.split(',')) {
    const [k, v] = pair.split('=');
    if (!keys.includes(k)) fail(format, `unexpected parameter "${k}"`);
    out[k] = int(format, v, k);
  }
  for (const k of keys) if (out[k] === undefined) fail(format, `parameter "${k}" is missing`);
  return out;
}

function within(format: string, value: number, max: number, what: string, min = 1): void {
  if (value < min || value > max) throw new HashFormatError('bounds', `${format}: ${what}=${value} is outside ${min}..${max}`);
}

// --- md5-crypt ------------------------------------------------------------------------------------------
const md5CryptFormat: HashFormat = {
  name: 'md5-crypt',
  matches: (h) => h.startsWith('$md5-crypt$'),
  check(h) {
    const parts = h.split('$');
    if (parts.length !== 4 || !/^[./0-9A-Za-z]{22}$/.test(parts[3]) || parts[2].length > 8) fail('md5-crypt', 'expected $md5-crypt$<salt>$<22-character hash>');
  },
  verify(password, h) {
    const [, , salt, digest] = h.split('$');
    return equal(Buffer.from(md5Crypt(password, salt)), Buffer.from(`$1$${salt}$${digest}`));
  },
};

// --- bcrypt ---------------------------------------------------------------------------------------------
const bcryptFormat: HashFormat = {
  name: 'bcrypt',
  matches: (h) => /^\$2[abzy]?\$/.test(h),
  check(h) {
    const m = /^\$2[abzy]?\$(\d\d)\$[./A-Za-z0-9]{53}$/.exec(h);
    if (!m || Number(m[1]) < 4 || Number(m[1]) > 31) fail('bcrypt', 'expected $2a$<cost 04..31>$<53 characters>');
    within('bcrypt', Number(m[1]), HASH_BOUNDS.bcryptCost, 'cost', 4);
  },
  // bcrypt compares only the first 72 bytes, as every implementation does.
  verify: (password, h) => bcryptVerify(password, h.replace(/^\$2z\$/, '$2a$')),
};

// --- sha256-crypt / sha512-crypt --------------------------------------------------------------------------
function shaCryptFormat(variant: 'sha256' | 'sha512'): HashFormat {
  const name = `${variant}-crypt`;
  const length = variant === 'sha256' ? 43 : 86;
  const parse = (h: string) => {
    const m = new RegExp(`^\\$${name}\\$(?:rounds=(\\d+)\\$)?([^$]{0,16})\\$([./0-9A-Za-z]{${length}})$`).exec(h);
    if (!m) fail(name, `expected $${name}$rounds=<n>$<salt>$<hash>`);
    const rounds = m[1] === undefined ? undefined : int(name, m[1], 'rounds');
    return { rounds, salt: m[2], digest: m[3] };
  };
  return {
    name,
    matches: (h) => h.startsWith(`$${name}$`),
    check(h) {
      const { rounds } = parse(h);
      if (rounds !== undefined) within(name, rounds, HASH_BOUNDS.shaCryptRounds, 'rounds', 1000);
    },
    async verify(password, h) {
      const { rounds, salt, digest } = parse(h);
      const computed = await shaCrypt(variant, password, salt, rounds);
      return equal(Buffer.from(computed.slice(computed.lastIndexOf('$') + 1)), Buffer.from(digest));
    },
  };
}

// --- argon2id / argon2i ---------------------------------------------------------------------------------
function argon2Format(variant: 'argon2id' | 'argon2i'): HashFormat {
  const RAW_B64 = /^[A-Za-z0-9+/]+$/;
  return {
    name: variant,
    matches: (h) => h.startsWith(`$${variant}$`),
    check(h) {
      const parts = h.split('$');
      if (parts.length !== 6) fail(variant, `expected $${variant}$v=19$m=<KiB>,t=<n>,p=<n>$<salt>$<hash>`);
      if (parts[2] !== 'v=19') fail(variant, 'only version 19 is supported');
      const p = params(variant, parts[3], ['m', 't', 'p']);
      within(variant, p.m, HASH_BOUNDS.argon2.memoryKiB, 'm');
      within(variant, p.t, HASH_BOUNDS.argon2.iterations, 't');
      within(variant, p.p, HASH_BOUNDS.argon2.parallelism, 'p');
      if (p.m < 8 * p.p) fail(variant, 'm must be at least 8 × p');
      if (!RAW_B64.test(parts[4]) || !RAW_B64.test(parts[5])) fail(variant, 'salt and hash must be unpadded standard base64');
      if (Buffer.from(parts[5], 'base64').length > HASH_BOUNDS.argon2.keyLength) fail(variant, 'hash is too long');
    },
    verify: (password, h) => argon2Verify(h, password),
  };
}

// --- pbkdf2 ---------------------------------------------------------------------------------------------
/** Kratos maps sha224 and sha384 to SHA3 (kept for compatibility with what it always did); anything unknown is sha256. */
const PBKDF2_DIGESTS: Record<string, string> = { sha1: 'sha1', sha224: 'sha3-224', sha256: 'sha256', sha384: 'sha3-384', sha512: 'sha512' };

const pbkdf2Format: HashFormat = {
  name: 'pbkdf2',
  matches: (h) => /^\$pbkdf2-sha[0-9]{1,3}\$/.test(h),
  check(h) {
    const parts = h.split('$');
    if (parts.length !== 5) fail('pbkdf2', 'expected $pbkdf2-<alg>$i=<n>,l=<n>$<salt>$<hash>');
    const p = params('pbkdf2', parts[2], ['i', 'l']);
    within('pbkdf2', p.i, HASH_BOUNDS.pbkdf2Iterations, 'i');
    b64('pbkdf2', parts[3], 'salt');
    if (b64('pbkdf2', parts[4], 'hash').length === 0) fail('pbkdf2', 'hash is empty');
  },
  verify(password, h) {
    const [, kind, paramText, salt, digest] = h.split('$');
    const alg = PBKDF2_DIGESTS[kind.slice('pbkdf2-'.length)] ?? 'sha256';
    const iterations = Number(/i=(\d+)/.exec(paramText)![1]);
    const expected = Buffer.from(digest, 'base64');
    const derived = pbkdf2Sync(password, Buffer.from(salt, 'base64'), iterations, expected.length, alg);
    return equal(derived, expected);
  },
};

// --- scrypt ---------------------------------------------------------------------------------------------
function scryptMaxMem(n: number, r: number, p: number): number {
  return 128 * n * r * (p + 2) + 1024 * 1024;
}

const scryptFormat: HashFormat = {
  name: 'scrypt',
  matches: (h) => h.startsWith('$scrypt$'),
  check(h) {
    const parts = h.split('$');
    if (parts.length !== 5) fail('scrypt', 'expected $scrypt$ln=<N>,r=<n>,p=<n>$<salt>$<hash>');
    const p = params('scrypt', parts[2], ['ln', 'r', 'p']);
    // Kratos's "ln" is N itself, not its logarithm.
    within('scrypt', p.ln, HASH_BOUNDS.scrypt.n, 'ln', 2);
    if ((p.ln & (p.ln - 1)) !== 0) fail('scrypt', 'ln (N) must be a power of two');
    within('scrypt', p.r, HASH_BOUNDS.scrypt.r, 'r');
    within('scrypt', p.p, HASH_BOUNDS.scrypt.p, 'p');
    b64('scrypt', parts[3], 'salt');
    if (b64('scrypt', parts[4], 'hash').length === 0) fail('scrypt', 'hash is empty');
  },
  verify(password, h) {
    const [, , paramText, salt, digest] = h.split('$');
    const p = params('scrypt', paramText, ['ln', 'r', 'p']);
    const expected = Buffer.from(digest, 'base64');
    const derived = scryptSync(password, Buffer.from(salt, 'base64'), expected.length, {
      N: p.ln,
      r: p.r,
      p: p.p,
      maxmem: scryptMaxMem(p.ln, p.r, p.p),
    });
    return equal(derived, expected);
  },
};

// --- {SSHA}, {SSHA256}, {SSHA512} -------------------------------------------------------------------------
const SSHA_DIGESTS: Record<string, [string, number]> = { SSHA: ['sha1', 20], SSHA256: ['sha256', 32], SSHA512: ['sha512', 64] };

const sshaFormat: HashFormat = {
  name: 'ssha',
  matches: (h) => /^\{SSHA(256|512)?\}/.test(h),
  check(h) {
    const m = /^\{(SSHA(?:256|512)?)\}(.+)$/.exec(h);
    if (!m) fail('ssha', 'expected {SSHA}<base64>');
    const [, size] = SSHA_DIGESTS[m[1]];
    if (b64('ssha', m[2], 'value').length <= size) fail('ssha', 'value holds no salt');
  },
  verify(password, h) {
    const m = /^\{(SSHA(?:256|512)?)\}(.+)$/.exec(h)!;
    const [alg, size] = SSHA_DIGESTS[m[1]];
    const raw = Buffer.from(m[2], 'base64');
    const salt = raw.subarray(size);
    return equal(createHash(alg).update(password).update(salt).digest(), raw.subarray(0, size));
  },
};

// --- $sha1$, $sha256$, $sha512$ and $md5$ with a salt template -------------------------------------------------
/** `$<alg>$pf=<b64 template>$<b64 salt>$<b64 hash>`: the digest of the template with {SALT} and {PASSWORD} filled in. */
function templated(alg: string, rest: string[], password: string): { computed: Buffer; expected: Buffer } {
  const [pf, salt, digest] = rest;
  const template = Buffer.from(pf.slice(3), 'base64').toString('utf8');
  const input = template.split('{SALT}').join(Buffer.from(salt, 'base64').toString('utf8')).split('{PASSWORD}').join(password);
  return { computed: createHash(alg).update(input).digest(), expected: Buffer.from(digest, 'base64') };
}

function checkTemplated(format: string, rest: string[]): void {
  if (rest.length !== 3 || !rest[0].startsWith('pf=')) fail(format, `expected $${format}$pf=<template>$<salt>$<hash>`);
  const template = b64(format, rest[0].slice(3), 'pf').toString('utf8');
  if (!template.includes('{PASSWORD}')) fail(format, 'the pf template has no {PASSWORD}');
  b64(format, rest[1], 'salt');
  b64(format, rest[2], 'hash');
}

function saltedShaFormat(alg: 'sha1' | 'sha256' | 'sha512'): HashFormat {
  return {
    name: alg,
    matches: (h) => h.startsWith(`$${alg}$`),
    check: (h) => checkTemplated(alg, h.split('$').slice(2)),
    verify(password, h) {
      const { computed, expected } = templated(alg, h.split('$').slice(2), password);
      return equal(computed, expected);
    },
  };
}

// --- firescrypt (Firebase) ----------------------------------------------------------------------------------
const firescryptFormat: HashFormat = {
  name: 'firescrypt',
  matches: (h) => h.startsWith('$firescrypt$'),
  check(h) {
    const parts = h.split('$');
    if (parts.length !== 7) fail('firescrypt', 'expected $firescrypt$ln=<n>,r=<n>,p=<n>$<salt>$<hash>$<salt separator>$<signer key>');
    const p = params('firescrypt', parts[2], ['ln', 'r', 'p']);
    within('firescrypt', p.ln, HASH_BOUNDS.firescrypt.log2n, 'ln', 0);
    within('firescrypt', p.r, HASH_BOUNDS.firescrypt.r, 'r');
    within('firescrypt', p.p, HASH_BOUNDS.firescrypt.p, 'p');
    for (const [i, what] of [
      [3, 'salt'],
      [4, 'hash'],
      [5, 'salt separator'],
      [6, 'signer key'],
    ] as const)
      b64('firescrypt', parts[i], what);
  },
  verify(password, h) {
    const [, , paramText, salt, digest, separator, signerKey] = h.split('$');
    const p = params('firescrypt', paramText, ['ln', 'r', 'p']);
    const n = 2 ** p.ln;
    const key = scryptSync(password, Buffer.concat([Buffer.from(salt, 'base64'), Buffer.from(separator, 'base64')]), 32, {
      N: n,
      r: p.r,
      p: p.p,
      maxmem: scryptMaxMem(n, p.r, p.p),
    });
    const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
    const signed = Buffer.concat([cipher.update(Buffer.from(signerKey, 'base64')), cipher.final()]);
    return equal(signed, Buffer.from(digest, 'base64'));
  },
};

// --- md5 ----------------------------------------------------------------------------------------------------
const md5Format: HashFormat = {
  name: 'md5',
  matches: (h) => h.startsWith('$md5$'),
  check(h) {
    const rest = h.split('$').slice(2);
    if (rest.length === 1) {
      if (b64('md5', rest[0], 'hash').length !== 16) fail('md5', 'hash must be 16 bytes');
      return;
    }
    checkTemplated('md5', rest);
  },
  verify(password, h) {
    const rest = h.split('$').slice(2);
    if (rest.length === 1) return equal(createHash('md5').update(password).digest(), Buffer.from(rest[0], 'base64'));
    const { computed, expected } = templated('md5', rest, password);
    return equal(computed, expected);
  },
};

// --- hmac -----------------------------------------------------------------------------------------------------
const HMAC_ALGS = ['md4', 'md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];

/** HMAC-MD4 by hand: OpenSSL 3 no longer ships MD4 in its default provider. */
function hmacMd4(key: Buffer, message: string): string {
  const block = 64;
  let k = key.length > block ? Buffer.from(md4.arrayBuffer(key)) : key;
  k = Buffer.concat([k, Buffer.alloc(block - k.length)]);
  const inner = Buffer.from(md4.arrayBuffer(Buffer.concat([k.map((b) => b ^ 0x36), Buffer.from(message, 'utf8')])));
  return md4.hex(Buffer.concat([k.map((b) => b ^ 0x5c), inner]));
}

const hmacFormat: HashFormat = {
  name: 'hmac',
  matches: (h) => /^\$hmac-[a-z0-9]+\$/.test(h),
  check(h) {
    const parts = h.split('$');
    const alg = parts[1].slice('hmac-'.length);
    if (!HMAC_ALGS.includes(alg)) fail('hmac', `unsupported hash function "${alg}"`);
    if (parts.length !== 4) fail('hmac', 'expected $hmac-<alg>$<hash>$<key>');
    b64('hmac', parts[2], 'hash');
    b64('hmac', parts[3], 'key');
  },
  verify(password, h) {
    const [, kind, digest, key] = h.split('$');
    const alg = kind.slice('hmac-'.length);
    const k = Buffer.from(key, 'base64');
    // Kratos stores base64 of the *hex* digest.
    const hex = alg === 'md4' ? hmacMd4(k, password) : createHmac(alg, k).update(password).digest('hex');
    return equal(Buffer.from(hex), Buffer.from(digest, 'base64'));
  },
};

/** In Kratos's detection order. */
export const HASH_FORMATS: HashFormat[] = [
  md5CryptFormat,
  bcryptFormat,
  shaCryptFormat('sha256'),
  shaCryptFormat('sha512'),
  argon2Format('argon2id'),
  argon2Format('argon2i'),
  pbkdf2Format,
  scryptFormat,
  sshaFormat,
  saltedShaFormat('sha1'),
  saltedShaFormat('sha256'),
  saltedShaFormat('sha512'),
  firescryptFormat,
  md5Format,
  hmacFormat,
];

/** Kratos's reasons for refusing an imported hash, by problem. */
export const HASH_IMPORT_REASONS: Record<HashProblem, string> = {
  unknown: 'The imported password does not match any known hash format.',
  malformed: 'The imported password hash could not be parsed.',
  bounds:
    'The imported password hash declares cost parameters that exceed the bounds enforced by Ory. Re-hash the password with a more conservative configuration before importing.',
};

export function detectHashFormat(hash: string): HashFormat | undefined {
  return HASH_FORMATS.find((f) => f.matches(hash));
}

/** Checks an imported hash: a known format, well formed, within bounds. Throws HashFormatError with the reason. */
export function checkImportedHash(hash: string): HashFormat {
  const format = detectHashFormat(hash);
  if (!format) throw new HashFormatError('unknown', 'no known hash format matches');
  format.check(hash);
  return format;
}

/** True when `password` matches `hash` in any supported format; false for a mismatch or an unusable hash. */
export async function verifyPasswordHash(password: string, hash: string): Promise<boolean> {
  const format = detectHashFormat(hash);
  if (!format) return false;
  try {
    format.check(hash);
    return await format.verify(password, hash);
  } catch {
    return false;
  }
}
