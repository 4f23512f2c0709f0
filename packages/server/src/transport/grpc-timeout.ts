// The `grpc-timeout` request header (doc/PROTOCOL-HTTP2.md in grpc/grpc):
//   Timeout → TimeoutValue TimeoutUnit; TimeoutValue → {positive integer as ASCII string of at most 8 digits}
//   TimeoutUnit → Hour "H" / Minute "M" / Second "S" / Millisecond "m" / Microsecond "u" / Nanosecond "n"
// Parsed strictly, as C-core's timeout_encoding.cc does: no sign, no spaces, at most 8 digits, one of
// the six units. A value outside that grammar is rejected (the caller fails the RPC).

const UNIT_MS: Readonly<Record<string, number>> = {
  H: 3_600_000,
  M: 60_000,
  S: 1000,
  m: 1,
  u: 0.001,
  n: 0.000_001,
};

const TIMEOUT = /^(\d{1,8})([HMSmun])$/;

/**
 * The timeout a `grpc-timeout` value asks for, in milliseconds (never negative, never wrapped: the
 * largest, `99999999H`, is about 11,400 years); `undefined` when the value breaks the grammar.
 */
export function parseGrpcTimeout(value: string): number | undefined {
  const match = TIMEOUT.exec(value);
  if (match === null) return undefined;
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}
