/**
 * gRPC status codes, with their wire values (grpc.StatusCode in Python, `status` in grpc-js).
 * Members keep Python's spelling: `StatusCode.DEADLINE_EXCEEDED === 4`.
 */
export const StatusCode = Object.freeze({
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const);
/** A status code's numeric value. */
export type StatusCode = (typeof StatusCode)[keyof typeof StatusCode];
/** A status code's name, e.g. `'DEADLINE_EXCEEDED'`. */
export type StatusCodeName = keyof typeof StatusCode;

/** Compression algorithms, with their wire values (grpc.Compression in Python). */
export const Compression = Object.freeze({ NoCompression: 0, Deflate: 1, Gzip: 2 } as const);
export type Compression = (typeof Compression)[keyof typeof Compression];
export type CompressionName = keyof typeof Compression;

/** Channel connectivity states, with their numeric values (grpc.ChannelConnectivity in Python). */
export const ChannelConnectivity = Object.freeze({
  IDLE: 0,
  CONNECTING: 1,
  READY: 2,
  TRANSIENT_FAILURE: 3,
  SHUTDOWN: 4,
} as const);
export type ChannelConnectivity = (typeof ChannelConnectivity)[keyof typeof ChannelConnectivity];
export type ChannelConnectivityName = keyof typeof ChannelConnectivity;

/**
 * The names of an enum table by value (`names[value]`): the reverse lookup of `StatusCode` and the
 * other enums of grpc-aio, whose values are small whole numbers.
 */
export function enumNames<T extends Record<string, number>>(table: T): readonly (keyof T & string)[] {
  const names: (keyof T & string)[] = [];
  for (const [name, value] of Object.entries(table)) names[value] = name as keyof T & string;
  return Object.freeze(names);
}

const STATUS_NAMES = enumNames(StatusCode);
const COMPRESSION_NAMES = enumNames(Compression);
const CONNECTIVITY_NAMES = enumNames(ChannelConnectivity);
const COMPRESSION_ALGORITHMS = Object.freeze(['identity', 'deflate', 'gzip'] as const);

/** True when `value` is one of the 17 status codes. */
export function isStatusCode(value: unknown): value is StatusCode {
  return typeof value === 'number' && STATUS_NAMES[value] !== undefined;
}

/** `'DEADLINE_EXCEEDED'` for 4; undefined for a value that is not a status code. */
export function statusCodeName(code: number): StatusCodeName | undefined {
  return STATUS_NAMES[code];
}

/** The code for a name such as `'NOT_FOUND'`; undefined for an unknown name. */
export function statusCodeFromName(name: string): StatusCode | undefined {
  return Object.hasOwn(StatusCode, name) ? StatusCode[name as StatusCodeName] : undefined;
}

/** Python's `str(code)`: `'StatusCode.DEADLINE_EXCEEDED'` (`'StatusCode.<n>'` for an unknown value). */
export function statusCodeToString(code: number): string {
  return `StatusCode.${STATUS_NAMES[code] ?? code}`;
}

/** The lowercase words of Python's enum value: `'deadline exceeded'` for 4. */
export function statusCodeDescription(code: StatusCode): string {
  return (STATUS_NAMES[code] ?? '').toLowerCase().replaceAll('_', ' ');
}

/** True when `value` is one of the three compression values. */
export function isCompression(value: unknown): value is Compression {
  return typeof value === 'number' && COMPRESSION_NAMES[value] !== undefined;
}

/** `'Gzip'` for 2; undefined for an unknown value. */
export function compressionName(compression: number): CompressionName | undefined {
  return COMPRESSION_NAMES[compression];
}

/** The algorithm name on the wire and in grpc-js channel options: `'identity'`, `'deflate'`, `'gzip'`. */
export function compressionAlgorithm(compression: Compression): 'identity' | 'deflate' | 'gzip' {
  const name = COMPRESSION_ALGORITHMS[compression];
  if (name === undefined) throw new TypeError(`Unknown compression value: ${String(compression)}.`);
  return name;
}

/** True when `value` is one of the five connectivity states. */
export function isChannelConnectivity(value: unknown): value is ChannelConnectivity {
  return typeof value === 'number' && CONNECTIVITY_NAMES[value] !== undefined;
}

/** `'READY'` for 2; undefined for an unknown value. */
export function channelConnectivityName(state: number): ChannelConnectivityName | undefined {
  return CONNECTIVITY_NAMES[state];
}
