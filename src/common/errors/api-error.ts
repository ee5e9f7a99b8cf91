/**
 * Errors the service answers with, shaped after Kratos's herodot `DefaultError`.
 * Services throw these; the global filter turns them into the `{"error":{…}}` envelope.
 */

/** Go's `http.StatusText`, which is what Kratos puts into `error.status` (it differs from Node's text for a few codes). */
const GO_STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  413: 'Request Entity Too Large',
  414: 'Request URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusText(code: number): string {
  return GO_STATUS_TEXT[code] ?? (code >= 500 ? 'Internal Server Error' : 'Bad Request');
}

/** herodot's canonical messages for its predefined errors. */
export const DEFAULT_MESSAGES: Record<number, string> = {
  400: 'The request was malformed or contained invalid parameters',
  401: 'The request could not be authorized',
  403: 'The requested action was forbidden',
  404: 'The requested resource could not be found',
  409: 'The resource could not be created due to a conflict',
  413: 'The request body is larger than this server accepts',
  415: 'The request has an unsupported media type',
  429: 'Too many requests: the limit for this kind of request was reached, try again later',
  500: 'An internal server error occurred, please contact the system administrator',
  503: 'The service is temporarily unavailable',
};

export interface ApiErrorFields {
  /** Machine-readable error id; Kratos sets it only for self-service errors such as `session_inactive`. */
  id?: string;
  reason?: string;
  message?: string;
  details?: Record<string, unknown>;
  /** Members Kratos puts beside `error` in some answers (`use_flow_id`, `redirect_browser_to`). */
  extra?: Record<string, unknown>;
  /** Response headers that belong to the error (`Retry-After`). */
  headers?: Record<string, string>;
}

export class ApiError extends Error {
  readonly status: number;
  readonly id?: string;
  readonly reason?: string;
  readonly details?: Record<string, unknown>;
  readonly extra?: Record<string, unknown>;
  readonly headers?: Record<string, string>;

  constructor(status: number, fields: ApiErrorFields = {}) {
    super(fields.message ?? DEFAULT_MESSAGES[status] ?? statusText(status));
    this.name = 'ApiError';
    this.status = status;
    this.id = fields.id;
    this.reason = fields.reason;
    this.details = fields.details;
    this.extra = fields.extra;
    this.headers = fields.headers;
  }

  /** A request refused by a rate limit, with `Retry-After` (seconds) in the header and in `details`. */
  static tooManyRequests(reason: string, retryAfterSeconds: number): ApiError {
    return new ApiError(429, {
      reason,
      details: { retry_after_seconds: retryAfterSeconds },
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  }

  static badRequest(reason?: string, details?: Record<string, unknown>): ApiError {
    return new ApiError(400, { reason, details });
  }

  /** herodot's ErrNotFound, for a route or a resource that does not exist. */
  static notFound(reason?: string): ApiError {
    return new ApiError(404, { reason });
  }

  /** What Kratos answers when a database lookup finds no row (`sqlcon.ErrNoRows`). */
  static noRows(reason?: string): ApiError {
    return new ApiError(404, { message: 'Unable to locate the resource', reason });
  }

  /** What Kratos answers for a unique-index violation (`sqlcon.ErrUniqueViolation`). */
  static uniqueViolation(reason?: string): ApiError {
    return new ApiError(409, {
      message: 'Unable to insert or update resource because a resource with that value exists already',
      reason,
    });
  }

  static unauthorized(reason?: string, id?: string): ApiError {
    return new ApiError(401, { reason, id });
  }

  static forbidden(reason?: string): ApiError {
    return new ApiError(403, { reason });
  }

  static internal(reason?: string): ApiError {
    return new ApiError(500, { reason });
  }
}

export interface ErrorBody {
  id?: string;
  code: number;
  status: string;
  request?: string;
  reason?: string;
  details?: Record<string, unknown>;
  message: string;
}

/**
 * A non-2xx answer whose body is not an error envelope: Kratos answers a failed self-service submission with the
 * flow itself (400 with `ui.messages`), and a failed recovery code with the flow and 200.
 */
export class FlowResponse extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(`flow answered with ${status}`);
    this.name = 'FlowResponse';
  }
}

/** Builds `{"error":{…}}` with herodot's key order and its omit-when-empty rules; `code` always equals the HTTP status. */
export function errorEnvelope(status: number, fields: ApiErrorFields, requestId?: string): { error: ErrorBody } & Record<string, unknown> {
  const ordered: ErrorBody = {
    ...(fields.id ? { id: fields.id } : {}),
    code: status,
    status: statusText(status),
    ...(requestId ? { request: requestId } : {}),
    ...(fields.reason ? { reason: fields.reason } : {}),
    ...(fields.details && Object.keys(fields.details).length > 0 ? { details: fields.details } : {}),
    message: fields.message ?? DEFAULT_MESSAGES[status] ?? statusText(status),
  };
  return { error: ordered, ...fields.extra };
}
