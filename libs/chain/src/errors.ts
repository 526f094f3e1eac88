/**
 * Errors of the chain kernel. Each carries a stable `code` that services map to their DomainError;
 * this package stays free of the platform library so that every layer (CLI, SDK, services) can use it.
 */
export class ChainError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class AmountError extends ChainError {
  constructor(message: string) {
    super('BAD_AMOUNT', message);
  }
}

export class HexError extends ChainError {
  constructor(message: string) {
    super('BAD_HEX', message);
  }
}

/** A SCALE byte string that does not decode (truncated, non-canonical compact, bad enum tag, …). */
export class ScaleError extends ChainError {
  constructor(message: string) {
    super('BAD_SCALE', message);
  }
}

export class KeyError extends ChainError {
  constructor(message: string) {
    super('BAD_KEY', message);
  }
}

export class AddressError extends ChainError {
  constructor(message: string) {
    super('BAD_ADDRESS', message);
  }
}

export type ExtrinsicErrorCode =
  | 'MALFORMED_EXTRINSIC'
  | 'UNSIGNED_EXTRINSIC'
  | 'UNSUPPORTED_VERSION'
  | 'UNSUPPORTED_ADDRESS'
  | 'UNSUPPORTED_SIGNATURE';

export class ExtrinsicDecodeError extends ChainError {
  constructor(
    override readonly code: ExtrinsicErrorCode,
    message: string,
  ) {
    super(code, message);
  }
}

export class CallDecodeError extends ChainError {
  constructor(message: string) {
    super('BAD_CALL', message);
  }
}

export class GenesisError extends ChainError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('BAD_GENESIS', `${field}: ${message}`);
  }
}
