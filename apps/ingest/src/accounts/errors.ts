/** A named account or key does not exist. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** An input value is invalid (bad name, unknown environment or status). */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
}

/** A key prefix matches more than one active key; pass the account or the full key to choose. */
export class AmbiguousKeyError extends Error {
  override readonly name = 'AmbiguousKeyError';
}
