import { installBrand } from './brand.js';
import { pyBytesRepr, pyStringRepr } from './repr.js';

/** A metadata key: lowercase ASCII letters, digits, `-`, `_` and `.`; keys ending in `-bin` carry bytes. */
export type MetadataKey = string;
/** A key whose values are binary (`Uint8Array`, a `Buffer` is fine). */
export type BinaryMetadataKey = `${string}-bin`;
/** A metadata value: printable ASCII text, or bytes under a `-bin` key. */
export type MetadataValue = string | Uint8Array;
/**
 * The value type a key carries: `Uint8Array` for a literal `-bin` key, `string` for any other
 * literal key, and either for a key only known as `string`.
 */
export type MetadataValueOf<K extends string> = string extends K
  ? MetadataValue
  : K extends BinaryMetadataKey
    ? Uint8Array
    : string;
/** One `[key, value]` entry. */
export type MetadataPair = readonly [key: string, value: MetadataValue];
/** Anything a call accepts as metadata: a `Metadata` or a sequence of `[key, value]` pairs. */
export type MetadataLike = ReadonlyMetadata | Iterable<MetadataPair>;

/** Error messages users may match on. */
export const METADATA_READ_ONLY = 'Metadata is read-only.';

const KEY_PATTERN = /^[0-9a-z_.-]+$/;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return value.constructor.name;
  if (Array.isArray(value)) return 'Array';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/**
 * Checks one key: a non-empty string of lowercase ASCII letters, digits, `-`, `_` and `.`.
 * Uppercase is rejected rather than lowercased, as gRPC Python's core does.
 * @throws TypeError naming the key.
 */
export function validateMetadataKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') throw new TypeError(`Metadata key must be a string, got ${describe(key)}.`);
  if (key.length === 0) throw new TypeError('Metadata key must not be empty.');
  if (!KEY_PATTERN.test(key)) {
    throw new TypeError(
      `Metadata key ${JSON.stringify(key)} is invalid: keys may hold only lowercase ASCII letters, digits, "-", "_" and ".".`,
    );
  }
}

/**
 * Checks one value against its key: bytes under a `-bin` key, printable ASCII text otherwise.
 * @throws TypeError naming the key.
 */
export function validateMetadataValue(key: string, value: unknown): asserts value is MetadataValue {
  if (key.endsWith('-bin')) {
    if (!(value instanceof Uint8Array)) {
      throw new TypeError(
        `Metadata value for binary key ${JSON.stringify(key)} must be a Uint8Array, got ${describe(value)}.`,
      );
    }
    return;
  }
  if (typeof value !== 'string') {
    throw new TypeError(
      `Metadata value for key ${JSON.stringify(key)} must be a string, got ${describe(value)} (only "-bin" keys carry bytes).`,
    );
  }
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x20 || code > 0x7e) {
      throw new TypeError(
        `Metadata value for key ${JSON.stringify(key)} must be printable ASCII; found 0x${code.toString(16).padStart(2, '0')} at index ${index}.`,
      );
    }
  }
  // HTTP/2 (RFC 9113 section 8.2.1) forbids field values that start or end with whitespace, and
  // Node's HTTP/2 receiver drops such headers without a word: refuse them rather than lose them.
  if (value.startsWith(' ') || value.endsWith(' ')) {
    throw new TypeError(
      `Metadata value for key ${JSON.stringify(key)} must not start or end with a space (HTTP/2 forbids it; receivers drop such values).`,
    );
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let index = 0; index < a.byteLength; index++) if (a[index] !== b[index]) return false;
  return true;
}

function valuesEqual(a: MetadataValue, b: MetadataValue): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return bytesEqual(a, b);
}

/**
 * The read-only face of {@link Metadata}: every query, no mutation. `Metadata.asReadonly()` returns
 * a live view of this type whose mutators throw.
 */
export interface ReadonlyMetadata extends Iterable<[string, MetadataValue]> {
  /** Number of values, counting every value of a repeated key (Python's `len(metadata)`). */
  readonly size: number;
  /** Same as `size`. */
  readonly length: number;
  get<K extends string>(key: K): MetadataValueOf<K> | undefined;
  get<K extends string>(key: K, defaultValue: MetadataValueOf<K>): MetadataValueOf<K>;
  getAll<K extends string>(key: K): MetadataValueOf<K>[];
  has(key: string): boolean;
  keys(): IterableIterator<string>;
  values(): IterableIterator<MetadataValue>;
  entries(): IterableIterator<[string, MetadataValue]>;
  equals(other: MetadataLike): boolean;
  concat(other: MetadataLike): Metadata;
  copy(): Metadata;
  asReadonly(): ReadonlyMetadata;
  toString(): string;
}

/**
 * An ordered multimap of metadata, with gRPC Python's semantics:
 *
 * - a key may carry several values; values keep their order within a key, and keys keep the order
 *   in which they first appeared (iteration yields each key's values together, as Python does);
 * - `get(key)` returns the first value, `getAll(key)` every value;
 * - `size` counts every value;
 * - keys are validated (lowercase `[0-9a-z_.-]`), `-bin` keys carry `Uint8Array`, other keys
 *   printable-ASCII strings; a bad entry throws a `TypeError` naming the key.
 *
 * Python spelling → this class: `Metadata(*pairs)` → `new Metadata(...pairs)`; `m[key]` →
 * `m.get(key)` (undefined instead of KeyError); `m[key] = v` → `m.set(key, v)`; `del m[key]` →
 * `m.delete(key)` (false instead of KeyError); `delete_all`, `get_all`, `set_all` → `deleteAll`,
 * `getAll`, `setAll`; `key in m` → `m.has(key)`; `len(m)` → `m.size`; `m == other` →
 * `m.equals(other)`; `m + other` → `m.concat(other)`; `from_tuple` → `Metadata.fromTuple`.
 *
 * @example
 * const md = new Metadata(['authorization', 'Bearer x'], ['trace-bin', Uint8Array.of(1, 2)]);
 * md.add('tag', 'a').add('tag', 'b');
 * md.getAll('tag'); // ['a', 'b']
 */
export class Metadata implements ReadonlyMetadata {
  // A read-only view shares its store with the metadata it was made from.
  #store: { map: Map<string, MetadataValue[]>; size: number };
  #readonly: boolean;

  /** Builds metadata from `[key, value]` pairs, validating each. */
  constructor(...pairs: MetadataPair[]) {
    this.#store = { map: new Map(), size: 0 };
    this.#readonly = false;
    for (const pair of pairs) this.#addPair(pair);
  }

  /**
   * Builds metadata from a sequence of pairs, or returns an empty one for `null`/`undefined`
   * (Python's `Metadata.from_tuple`).
   */
  static fromTuple(raw: Iterable<MetadataPair> | null | undefined): Metadata {
    const metadata = new Metadata();
    if (raw != null) metadata.#addPairs(raw);
    return metadata;
  }

  /**
   * Normalises what a call accepts as metadata: a `Metadata` is returned as is, a sequence of pairs
   * is validated into a new `Metadata`, `null`/`undefined` gives an empty one.
   * @throws TypeError for anything else or a bad element (A17).
   */
  static from(value: MetadataLike | null | undefined): Metadata {
    if (value == null) return new Metadata();
    if (value instanceof Metadata) return value;
    if (typeof value !== 'object' || typeof (value as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError(
        `Metadata must be a Metadata or an iterable of [key, value] pairs, got ${describe(value)}.`,
      );
    }
    return Metadata.fromTuple(value as Iterable<MetadataPair>);
  }

  /** Wraps values known to be valid (they came off the wire) without checking them again. */
  static unchecked(entries: Iterable<readonly [string, readonly MetadataValue[]]>): Metadata {
    const metadata = new Metadata();
    for (const [key, values] of entries) {
      if (values.length === 0) continue;
      metadata.#store.map.set(key, [...values]);
      metadata.#store.size += values.length;
    }
    return metadata;
  }

  get size(): number {
    return this.#store.size;
  }

  get length(): number {
    return this.#store.size;
  }

  /** First value of `key`, or `defaultValue` (undefined when not given) if there is none. */
  get<K extends string>(key: K): MetadataValueOf<K> | undefined;
  get<K extends string>(key: K, defaultValue: MetadataValueOf<K>): MetadataValueOf<K>;
  get(key: string, defaultValue?: MetadataValue): MetadataValue | undefined {
    const values = this.#store.map.get(key);
    return values === undefined ? defaultValue : values[0];
  }

  /** Every value of `key` in order; an empty array when there is none. */
  getAll<K extends string>(key: K): MetadataValueOf<K>[] {
    const values = this.#store.map.get(key);
    return (values === undefined ? [] : [...values]) as MetadataValueOf<K>[];
  }

  has(key: string): boolean {
    return this.#store.map.has(key);
  }

  /** Appends a value to `key`. Returns this metadata, for chaining. */
  add<K extends string>(key: K, value: MetadataValueOf<K>): this {
    this.#checkWritable();
    validateMetadataKey(key);
    validateMetadataValue(key, value);
    this.#append(key, value);
    return this;
  }

  /**
   * Replaces the first value of `key` and keeps the rest (Python's `m[key] = value`); adds the key
   * when it is absent.
   */
  set<K extends string>(key: K, value: MetadataValueOf<K>): this {
    this.#checkWritable();
    validateMetadataKey(key);
    validateMetadataValue(key, value);
    const values = this.#store.map.get(key);
    if (values === undefined) this.#append(key, value);
    else values[0] = value;
    return this;
  }

  /** Replaces every value of `key`; an empty list removes the key. */
  setAll<K extends string>(key: K, values: readonly MetadataValueOf<K>[]): this {
    this.#checkWritable();
    validateMetadataKey(key);
    if (!Array.isArray(values))
      throw new TypeError(`setAll(${JSON.stringify(key)}, values) needs an array of values.`);
    for (const value of values) validateMetadataValue(key, value);
    this.#store.size -= this.#store.map.get(key)?.length ?? 0;
    if (values.length === 0) this.#store.map.delete(key);
    else {
      this.#store.map.set(key, [...values]);
      this.#store.size += values.length;
    }
    return this;
  }

  /** Removes the first value of `key`. Returns false, changing nothing, when the key is absent. */
  delete(key: string): boolean {
    this.#checkWritable();
    const values = this.#store.map.get(key);
    if (values === undefined) return false;
    values.shift();
    this.#store.size -= 1;
    if (values.length === 0) this.#store.map.delete(key);
    return true;
  }

  /** Removes every value of `key`. Returns false when the key is absent. */
  deleteAll(key: string): boolean {
    this.#checkWritable();
    const values = this.#store.map.get(key);
    if (values === undefined) return false;
    this.#store.size -= values.length;
    this.#store.map.delete(key);
    return true;
  }

  /** Removes everything. */
  clear(): void {
    this.#checkWritable();
    this.#store.map.clear();
    this.#store.size = 0;
  }

  /** Distinct keys, in first-seen order. */
  keys(): IterableIterator<string> {
    return this.#store.map.keys();
  }

  *values(): IterableIterator<MetadataValue> {
    for (const values of this.#store.map.values()) yield* values;
  }

  *entries(): IterableIterator<[string, MetadataValue]> {
    for (const [key, values] of this.#store.map) for (const value of values) yield [key, value];
  }

  [Symbol.iterator](): IterableIterator<[string, MetadataValue]> {
    return this.entries();
  }

  /**
   * True when `other` yields the same `[key, value]` sequence as this metadata's iteration
   * (Python's `==` against a Metadata or a tuple of pairs). Bytes compare by content.
   */
  equals(other: MetadataLike): boolean {
    if (other === this) return true;
    const theirs = other instanceof Metadata ? [...other] : [...(other as Iterable<MetadataPair>)];
    if (theirs.length !== this.#store.size) return false;
    let index = 0;
    for (const [key, value] of this) {
      const pair = theirs[index++];
      if (!Array.isArray(pair) || pair[0] !== key || !valuesEqual(pair[1] as MetadataValue, value))
        return false;
    }
    return true;
  }

  /** A new Metadata with this one's entries followed by `other`'s (Python's `m + other`). */
  concat(other: MetadataLike): Metadata {
    const result = this.copy();
    result.#addPairs(other instanceof Metadata ? other : Metadata.from(other));
    return result;
  }

  /** A mutable deep copy (bytes values are shared, not cloned). */
  copy(): Metadata {
    return Metadata.unchecked(this.#store.map);
  }

  /** A live read-only view: it reflects later changes to this metadata, and its mutators throw. */
  asReadonly(): ReadonlyMetadata {
    if (this.#readonly) return this;
    const view = new Metadata();
    view.#store = this.#store;
    view.#readonly = true;
    return view;
  }

  /** True for a view returned by `asReadonly()`. */
  get readonly(): boolean {
    return this.#readonly;
  }

  /** Python's repr: `Metadata((('key', 'value'), ('key-bin', b'\x00')))`. */
  toString(): string {
    const items = [...this].map(
      ([key, value]) =>
        `(${pyStringRepr(key)}, ${typeof value === 'string' ? pyStringRepr(value) : pyBytesRepr(value)})`,
    );
    const body = items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
    return `Metadata(${body})`;
  }

  /** `{key: [values]}`, bytes as base64 (for logs and JSON). */
  toJSON(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [key, values] of this.#store.map) {
      out[key] = values.map((value) =>
        typeof value === 'string' ? value : Buffer.from(value).toString('base64'),
      );
    }
    return out;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  get [Symbol.toStringTag](): string {
    return 'Metadata';
  }

  #checkWritable(): void {
    if (this.#readonly) throw new TypeError(METADATA_READ_ONLY);
  }

  #append(key: string, value: MetadataValue): void {
    const values = this.#store.map.get(key);
    if (values === undefined) this.#store.map.set(key, [value]);
    else values.push(value);
    this.#store.size += 1;
  }

  #addPair(pair: unknown): void {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new TypeError(
        `Metadata entries must be [key, value] pairs, got ${describe(pair)}${Array.isArray(pair) ? ` of length ${pair.length}` : ''}.`,
      );
    }
    const [key, value] = pair as [unknown, unknown];
    validateMetadataKey(key);
    validateMetadataValue(key, value);
    this.#append(key, value);
  }

  #addPairs(pairs: Iterable<unknown>): void {
    for (const pair of pairs) this.#addPair(pair);
  }
}

installBrand(Metadata, '@grpc-aio/metadata.Metadata');
