/** Errors a ConversationStore throws, so callers can answer clearly (4xx vs 503) without parsing messages. */

/** The input was rejected (missing id, partial segment, …); retrying will not help. */
export class StoreInputError extends Error {
  override name = 'StoreInputError';
}

/** The referenced conversation does not exist. */
export class StoreNotFoundError extends Error {
  override name = 'StoreNotFoundError';
}

/** The backend cannot take the operation now (unreachable, disk full, write queue full). */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
