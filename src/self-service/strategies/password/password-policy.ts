import { distance } from 'fastest-levenshtein';
import type { AppConfig } from '../../../config/app-config';
import { BCRYPT_MAX_BYTES, MAX_PASSWORD_BYTES } from '../../../identity/credentials/password-hasher.service';
import { Text, UiText } from '../../ui/ui-text';

/** Kratos's default password validator thresholds (identifier similarity). */
const MIN_IDENTIFIER_DISTANCE = 5;
const MAX_IDENTIFIER_SUBSTRING_RATIO = 0.5;

/** Length of the longest common substring (dynamic programming, O(n·m) on two short strings). */
export function longestCommonSubstring(a: string, b: string): number {
  let best = 0;
  let previous = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const current = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      if (a[i - 1] === b[j - 1]) {
        current[j] = previous[j - 1] + 1;
        if (current[j] > best) best = current[j];
      }
    }
    previous = current;
  }
  return best;
}

export interface PasswordPolicy {
  minLength: number;
  /** The hasher's limit: 72 bytes for bcrypt, MAX_PASSWORD_BYTES otherwise. */
  maxBytes: number;
}

/** The policy for new passwords under the configured minimum length and hasher. */
export function passwordPolicyFor(config: AppConfig): PasswordPolicy {
  return {
    minLength: config.selfService.passwordMinLength,
    maxBytes: config.hasher.algorithm === 'bcrypt' ? BCRYPT_MAX_BYTES : MAX_PASSWORD_BYTES,
  };
}

/**
 * Checks a new password as Kratos's default validator does: minimum length in characters, and not too similar to
 * any of the identity's identifiers (Levenshtein distance under 5, or a common substring over half its length).
 * Kratos also asks Have I Been Pwned; this service has no network access for that and skips it.
 */
export function checkPassword(password: string, identifiers: string[], policy: PasswordPolicy): UiText | undefined {
  if (password === '') return Text.missingProperty('password');
  // The byte limit first: the similarity checks below are quadratic in the password's length.
  if (Buffer.byteLength(password, 'utf8') > policy.maxBytes) return Text.passwordTooLong(policy.maxBytes, password.length);
  const length = [...password].length;
  if (length < policy.minLength) return Text.passwordTooShort(policy.minLength, length);
  const candidate = password.toLowerCase();
  for (const identifier of identifiers) {
    const id = identifier.toLowerCase();
    if (id && tooSimilar(id, candidate)) return Text.passwordTooSimilar();
  }
  return undefined;
}

/**
 * Kratos's two similarity rules, computed only where they can hold, so that the cost stays bounded by the shorter
 * string whatever the lengths: the edit distance is at least the length difference, and the common substring is at
 * most the identifier's length.
 */
function tooSimilar(id: string, password: string): boolean {
  if (Math.abs(id.length - password.length) < MIN_IDENTIFIER_DISTANCE && distance(id, password) < MIN_IDENTIFIER_DISTANCE) return true;
  if (id.length / password.length <= MAX_IDENTIFIER_SUBSTRING_RATIO) return false;
  return longestCommonSubstring(id, password) / password.length > MAX_IDENTIFIER_SUBSTRING_RATIO;
}
