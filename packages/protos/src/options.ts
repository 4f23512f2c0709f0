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
  /** How 64-bit integers are decoded: `String`, `Number`, or (default) `Long` objects. */
  longs?: StringConstructor | NumberConstructor | undefined;
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

/** The conversion options to hand to protobufjs's `toObject`. */
export function conversionOptions(options: LoadOptions | undefined): ConversionOptions {
  const result: Record<string, unknown> = {};
  if (options === undefined) return result;
  for (const key of CONVERSION_KEYS) {
    if (options[key] !== undefined) result[key] = options[key];
  }
  return Object.freeze(result) as ConversionOptions;
}
