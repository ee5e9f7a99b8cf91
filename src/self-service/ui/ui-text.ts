/**
 * Kratos's UI messages (text/id.go and text/message_*.go): ids, wording and context, so that UIs built for Kratos
 * (which switch on the ids) work unchanged.
 */
export interface UiText {
  id: number;
  text: string;
  type: 'info' | 'error' | 'success';
  context?: Record<string, unknown>;
}

const info = (id: number, text: string, context?: Record<string, unknown>): UiText => ({ id, text, type: 'info', ...(context ? { context } : {}) });
const error = (id: number, text: string, context?: Record<string, unknown>): UiText => ({ id, text, type: 'error', ...(context ? { context } : {}) });

export const Text = {
  // labels
  labelPassword: () => info(1070001, 'Password'),
  labelId: () => info(1070004, 'ID'),
  labelTrait: (name: string, title: string) => info(1070002, title, { name, title }),
  labelSave: () => info(1070003, 'Save'),
  labelSignInWithPassword: () => info(1010022, 'Sign in with password'),
  labelSignUp: () => info(1040001, 'Sign up'),
  labelContinue: () => info(1070009, 'Continue'),
  labelRecoveryCode: () => info(1070010, 'Recovery code'),
  // successes and information
  settingsSaved: (): UiText => ({ id: 1050001, text: 'Your changes have been saved!', type: 'success' }),
  recoverySuccessful: (expiresAt: Date, minutes: number) =>
    info(
      1060001,
      `You successfully recovered your account. Please change your password or set up an alternative login method (e.g. social sign in) within the next ${minutes.toFixed(2)} minutes.`,
      {
        privilegedSessionExpiresAt: expiresAt.toISOString(),
        privileged_session_expires_at: expiresAt.toISOString(),
        privileged_session_expires_at_unix: Math.floor(expiresAt.getTime() / 1000),
      },
    ),
  recoveryCodeSent: () =>
    info(
      1060003,
      'An email containing a recovery code has been sent to the email address you provided. If you have not received an email, check the spelling of the address and make sure to use the address you registered with.',
    ),
  // errors
  generic: (reason: string, context?: Record<string, unknown>) => error(4000001, reason, context ?? { reason }),
  missingProperty: (property: string) => error(4000002, `Property ${property} is missing.`, { property }),
  tooShort: (min: number, actual: number) => error(4000003, `length must be >= ${min}, but got ${actual}`, { actual_length: actual, min_length: min }),
  tooLong: (max: number, actual: number) => error(4000017, `length must be <= ${max}, but got ${actual}`, { actual_length: actual, max_length: max }),
  patternMismatch: (pattern: string) => error(4000004, `does not match pattern ${JSON.stringify(pattern)}`, { pattern }),
  invalidCredentials: () =>
    error(4000006, 'The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.'),
  duplicateIdentifier: () => error(4000007, 'An account with the same identifier (email, phone, username, ...) exists already.'),
  passwordTooSimilar: () => error(4000031, 'The password can not be used because it is too similar to the identifier.'),
  passwordTooShort: (min: number, actual: number) =>
    error(4000032, `The password must be at least ${min} characters long, but got ${actual}.`, { actual_length: actual, min_length: min }),
  passwordTooLong: (max: number, actual: number) =>
    error(4000033, `The password must be at most ${max} characters long, but got ${actual}.`, { actual_length: actual, max_length: max }),
  passwordSameAsOld: () => error(4000039, 'The new password must be different from the old password.'),
  invalidEmail: (value: unknown) => error(4000040, 'Enter a valid email address', { value }),
  loginFlowExpired: (expiredAt: Date, minutes: number) =>
    error(4010001, `The login flow expired ${minutes.toFixed(2)} minutes ago, please try again.`, {
      expired_at: expiredAt.toISOString(),
      expired_at_unix: Math.floor(expiredAt.getTime() / 1000),
    }),
  noLoginStrategy: () => error(4010002, 'Could not find a strategy to log you in with. Did you fill out the form correctly?'),
  accountDisabled: () => error(4010011, 'This account has been disabled. Please contact support for assistance.'),
  noRegistrationStrategy: () => error(4040001, 'Could not find a strategy to sign you up with. Did you fill out the form correctly?'),
  noSettingsStrategy: () => error(4050001, 'Could not find a strategy to update your settings. Did you fill out the form correctly?'),
  submittedTooOften: () =>
    error(4000001, 'The request was submitted too often. Please request another code.', {
      reason: 'The request was submitted too often. Please request another code.',
    }),
  tooManyAttempts: (seconds: number) =>
    error(4000001, `Too many failed attempts. Please try again in ${seconds} seconds.`, { reason: 'too many failed attempts', retry_after_seconds: seconds }),
  recoveryCodeInvalid: () => error(4060006, 'The recovery code is invalid or has already been used. Please try again.'),
  recoveryTokenInvalid: () => error(4060004, 'The recovery token is invalid or has already been used. Please retry the flow.'),
  recoveryFlowExpired: (expiredAt: Date, minutes: number) =>
    error(4060005, `The recovery flow expired ${minutes.toFixed(2)} minutes ago, please try again.`, {
      expired_at: expiredAt.toISOString(),
      expired_at_unix: Math.floor(expiredAt.getTime() / 1000),
    }),
};
