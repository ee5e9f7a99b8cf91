import { z } from 'zod';
import { booleanFlag, commaList, defineSection, goDuration, httpUrl, positiveInt } from './config-section';

export const sessionSection = defineSection(
  {
    SESSION_LIFESPAN: goDuration('SESSION_LIFESPAN').prefault('24h'),
    SESSION_COOKIE_NAME: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, 'may contain letters, digits, ".", "_" and "-" only')
      .default('ory_kratos_session'),
    PRIVILEGED_SESSION_MAX_AGE: goDuration('PRIVILEGED_SESSION_MAX_AGE').prefault('1h'),
  },
  (v) => ({ lifespanMs: v.SESSION_LIFESPAN, cookieName: v.SESSION_COOKIE_NAME, privilegedMaxAgeMs: v.PRIVILEGED_SESSION_MAX_AGE }),
);

export const selfServiceSection = defineSection(
  {
    SELFSERVICE_FLOW_LIFESPAN: goDuration('SELFSERVICE_FLOW_LIFESPAN').prefault('1h'),
    PASSWORD_MIN_LENGTH: positiveInt.max(1024).default(8),
    RECOVERY_UI_URL: httpUrl.optional(),
    SETTINGS_UI_URL: httpUrl.optional(),
    ALLOWED_RETURN_URLS: z.string().optional(),
  },
  (v, deps: { http: { publicBaseUrl: string } }) => ({
    flowLifespanMs: v.SELFSERVICE_FLOW_LIFESPAN,
    passwordMinLength: v.PASSWORD_MIN_LENGTH,
    recoveryUiUrl: v.RECOVERY_UI_URL ?? `${deps.http.publicBaseUrl}/self-service/recovery`,
    settingsUiUrl: v.SETTINGS_UI_URL ?? `${deps.http.publicBaseUrl}/self-service/settings`,
    /** Prefixes a `return_to` URL must start with. */
    allowedReturnUrls: [deps.http.publicBaseUrl, ...commaList(v.ALLOWED_RETURN_URLS)],
  }),
);

export const recoverySection = defineSection(
  {
    RECOVERY_LINK_ENABLED: booleanFlag.prefault('true'),
    RECOVERY_CODE_ENABLED: booleanFlag.prefault('true'),
    RECOVERY_LIFESPAN: goDuration('RECOVERY_LIFESPAN').prefault('1h'),
    RECOVERY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  },
  (v) => ({
    linkEnabled: v.RECOVERY_LINK_ENABLED,
    codeEnabled: v.RECOVERY_CODE_ENABLED,
    lifespanMs: v.RECOVERY_LIFESPAN,
    /** Key of the HMAC that recovery codes and link tokens are stored as; undefined means "generate one" (development). */
    secret: v.RECOVERY_SECRET,
  }),
);

/** Failed attempts allowed per key over a sliding window, across replicas. */
export const throttleSection = defineSection(
  {
    RECOVERY_CODE_THROTTLE_PER_IDENTITY: positiveInt.default(10),
    RECOVERY_CODE_THROTTLE_WINDOW: goDuration('RECOVERY_CODE_THROTTLE_WINDOW').prefault('1h'),
    LOGIN_THROTTLE_PER_IDENTIFIER: positiveInt.default(10),
    LOGIN_THROTTLE_PER_ADDRESS: positiveInt.default(100),
    LOGIN_THROTTLE_WINDOW: goDuration('LOGIN_THROTTLE_WINDOW').prefault('15m'),
  },
  (v) => ({
    login: { perIdentifier: v.LOGIN_THROTTLE_PER_IDENTIFIER, perAddress: v.LOGIN_THROTTLE_PER_ADDRESS, windowMs: v.LOGIN_THROTTLE_WINDOW },
    recoveryCode: { perIdentity: v.RECOVERY_CODE_THROTTLE_PER_IDENTITY, windowMs: v.RECOVERY_CODE_THROTTLE_WINDOW },
  }),
);
