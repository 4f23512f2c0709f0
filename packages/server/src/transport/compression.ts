import { kMaxLength } from 'node:buffer';
import { deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { Compression } from '@grpc-aio/core';

// Message compression of the server transport (doc/compression.md in grpc/grpc): gzip and deflate
// through node:zlib. Messages are (de)compressed synchronously, as C-core does on its call path:
// sizes are bounded by the message size limits, and the ordering of a call's messages and status
// needs no queue.

/** The algorithms this server knows, by wire name. */
export type AlgorithmName = 'identity' | 'deflate' | 'gzip';

const NAMES: readonly AlgorithmName[] = ['identity', 'deflate', 'gzip'];

/** The wire name of a Compression value. */
export function algorithmName(compression: Compression): AlgorithmName {
  return NAMES[compression] as AlgorithmName;
}

/** The Compression value of a wire name, or undefined for an algorithm this server does not know. */
export function algorithmOf(name: string): Compression | undefined {
  const index = NAMES.indexOf(name as AlgorithmName);
  return index < 0 ? undefined : (index as Compression);
}

/**
 * The algorithms enabled on a server: `grpc.compression_enabled_algorithms_bitset` (bit i enables
 * Compression i; identity is always enabled, as in C-core). All are enabled by default.
 */
export class CompressionSet {
  readonly #bits: number;
  /** The value of the `grpc-accept-encoding` header this server sends. */
  readonly acceptEncoding: string;

  constructor(bitset = 0b111) {
    this.#bits = bitset | 1;
    this.acceptEncoding = NAMES.filter((_, index) => (this.#bits & (1 << index)) !== 0).join(', ');
  }

  has(compression: Compression): boolean {
    return (this.#bits & (1 << compression)) !== 0;
  }
}

// Clients send the same grpc-accept-encoding on every call: the last one read is remembered.
let lastHeader = '';
let lastBits = 1;

/** The algorithms a peer's `grpc-accept-encoding` lists (identity always), as bits. */
export function acceptedAlgorithms(header: string | undefined): number {
  if (header === undefined) return 1;
  if (header === lastHeader) return lastBits;
  let bits = 1;
  for (const part of header.split(',')) {
    const compression = algorithmOf(part.trim());
    if (compression !== undefined) bits |= 1 << compression;
  }
  lastHeader = header;
  lastBits = bits;
  return bits;
}

/** Compresses one message. */
export function compress(compression: Compression, message: Buffer): Buffer {
  return compression === Compression.Gzip ? gzipSync(message) : deflateSync(message);
}

/**
 * Why a compressed message could not be read: too large once decompressed (`size` when known: the
 * decompressor stops one byte past the limit), or corrupt.
 */
export type DecompressFailure =
  | { readonly tooLarge: true; readonly size: number | undefined }
  | { readonly tooLarge: false; readonly error: Error };

/**
 * Decompresses one message, stopping at `limit` bytes of output (a gzip bomb costs no more than
 * `limit` bytes of memory). Returns the message or why it could not be read.
 */
export function decompress(
  compression: Compression,
  message: Buffer,
  limit: number,
): Buffer | DecompressFailure {
  // One byte over the limit tells "too large" from "exactly the limit".
  const options = { maxOutputLength: Math.min(limit + 1, kMaxLength) };
  try {
    const output =
      compression === Compression.Gzip ? gunzipSync(message, options) : inflateSync(message, options);
    return output.length > limit ? { tooLarge: true, size: output.length } : output;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE')
      return { tooLarge: true, size: undefined };
    return { tooLarge: false, error: error as Error };
  }
}
