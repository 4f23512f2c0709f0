import { rejectUnknownOptions } from '@grpc-aio/core/internal';
/**
 * How loading reads .proto files and how messages convert to and from plain objects. The names
 * and meanings are those of `@grpc/proto-loader`'s options.
 */
export interface LoadOptions {
  /**
   * Directories searched for the files named in `paths` and for every `import`, in order (protoc's
   * `-I`). A file not found there is looked up relative to the importing file (or to the current
   * directory for top-level paths). `google/protobuf/*.proto` imports never need one.
   */
  includeDirs?: readonly string[] | undefined;
  /** Keep field names as in the .proto (`point_count`) instead of camelCasing them (`pointCount`). */
  keepCase?: boolean | undefined;
  /**
   * How 64-bit integers (`int64`, `uint64`, `sint64`, `fixed64`, `sfixed64`) are decoded:
   * `BigInt` (the default: exact, and the JavaScript type for such integers), `String` (exact,
   * JSON-safe) or `Number` (loses precision beyond 2^53). Never protobufjs's `Long` objects.
   * Encoding accepts all three forms whatever this says.
   */
  longs?: BigIntConstructor | StringConstructor | NumberConstructor | undefined;
  /** How enum values are decoded: `String` for their names; the default is their numbers. */
  enums?: StringConstructor | undefined;
  /** How bytes fields are decoded: `String` (base64), `Array`, or (default) a `Uint8Array`/Buffer. */
  bytes?: StringConstructor | ArrayConstructor | undefined;
  /** Set fields that are absent on the wire to their default values when decoding. */
  defaults?: boolean | undefined;
  /** Set absent repeated fields to `[]` even without `defaults`. */
  arrays?: boolean | undefined;
  /** Set absent map fields to `{}` even without `defaults`. */
  objects?: boolean | undefined;
  /** Add a virtual field per oneof, holding the name of the member that is set. */
  oneofs?: boolean | undefined;
  /** Decode as JSON-compatible values (NaN and Infinity as strings, Any expanded). */
  json?: boolean | undefined;
}

/** The subset of {@link LoadOptions} that controls decoding (protobufjs's `IConversionOptions`). */
export type ConversionOptions = Omit<LoadOptions, 'includeDirs' | 'keepCase'>;

const CONVERSION_KEYS = [
  'longs',
  'enums',
  'bytes',
  'defaults',
  'arrays',
  'objects',
  'oneofs',
  'json',
] as const;

/** The message of the TypeError for a `longs` option that is none of the supported forms. */
export const BAD_LONGS_OPTION = 'longs must be BigInt, String or Number';

/**
 * The conversion options to hand to protobufjs's `toObject`: those given, with `longs: BigInt`
 * unless another form is asked for (protobufjs would otherwise hand out `Long` objects).
 * @throws TypeError for a `longs` option that is not BigInt, String or Number.
 */
export function conversionOptions(options: LoadOptions | ConversionOptions | undefined): ConversionOptions {
  const result: Record<string, unknown> = { longs: BigInt };
  if (options === undefined) return Object.freeze(result) as ConversionOptions;
  const { longs } = options;
  if (longs !== undefined && longs !== BigInt && longs !== String && longs !== Number) {
    throw new TypeError(BAD_LONGS_OPTION);
  }
  for (const key of CONVERSION_KEYS) {
    if (options[key] !== undefined) result[key] = options[key];
  }
  return Object.freeze(result) as ConversionOptions;
}

/** The keys of the load functions' options (`filename` is loadFromSource's): anything else is refused. */
const LOAD_OPTIONS = new Set(['includeDirs', 'keepCase', ...CONVERSION_KEYS, 'filename']);

const BOOLEAN_OPTIONS = ['keepCase', 'defaults', 'arrays', 'objects', 'oneofs', 'json'] as const;

/** A value as an error message shows it: strings quoted, functions by name. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'function') return `the function ${value.name}`;
  return value === null ? 'null' : typeof value;
}

/**
 * Throws a TypeError naming an option the load functions do not take (a misspelt one is not
 * ignored), or one whose value protobufjs would ignore: a boolean option that is not a boolean,
 * `enums`/`bytes` given as the strings `'String'`/`'Array'` rather than the constructors.
 */
export function checkLoadOptions(options: object | null | undefined): void {
  if (options == null || typeof options !== 'object') return;
  rejectUnknownOptions('Loading protos', options, LOAD_OPTIONS);
  const given = options as LoadOptions;
  for (const key of BOOLEAN_OPTIONS) {
    const value = given[key];
    if (value !== undefined && typeof value !== 'boolean')
      throw new TypeError(`Load option ${key} must be a boolean, got ${describeValue(value)}.`);
  }
  const { enums, bytes } = given;
  if (enums !== undefined && enums !== String)
    throw new TypeError(`Load option enums must be String (the constructor), got ${describeValue(enums)}.`);
  if (bytes !== undefined && bytes !== String && bytes !== Array) {
    throw new TypeError(
      `Load option bytes must be String or Array (the constructors), got ${describeValue(bytes)}.`,
    );
  }
}
