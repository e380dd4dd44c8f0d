// Errors that cross the API carry a stable code (for tests and UIs) and a message for a person.
// The codes and how any error becomes an ApiError (toApiError): error-codes.ts.
export const ErrorCode = {
  badMessage: 'E_BAD_MESSAGE',
  unknownMethod: 'E_UNKNOWN_METHOD',
  invalidParams: 'E_INVALID_PARAMS',
  engineUnavailable: 'E_ENGINE_UNAVAILABLE',
  timeout: 'E_TIMEOUT',
  closed: 'E_CLOSED',
  internal: 'E_INTERNAL',
  /** The caller is signed in but its role may not do this; the message names the role needed. */
  forbidden: 'E_FORBIDDEN',
  /** No valid session or token. */
  unauthenticated: 'E_UNAUTHENTICATED',
} as const;

export interface ApiErrorShape {
  code: string;
  message: string;
}

export class ApiError extends Error implements ApiErrorShape {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }

  toJSON(): ApiErrorShape {
    return { code: this.code, message: this.message };
  }
}
