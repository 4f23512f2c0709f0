import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';
import { Compression, StatusCode } from '@grpc-aio/core';
import type { CallStart } from './base-call.js';
import { acceptedAlgorithms, algorithmOf, type CompressionSet } from './compression.js';
import { parseGrpcTimeout } from './grpc-timeout.js';
import { invalidBinaryHeader } from './wire-metadata.js';

// What the headers of a request say of its call (deadline, compression both ways), or why it is
// refused before it reaches a handler, with the texts of those refusals; and the header list of a
// gRPC-Web request as metadata sees it.

// The texts of requests refused before they reach a handler: C-core's (1.84, hpack_parse_result.cc,
// call.cc) where it has one.
/** A request header that breaks the protocol's grammar (`:method`, `te`, `grpc-timeout`). */
const badHeader = (key: string): string => `Error parsing '${key}' metadata`;
/** A `-bin` header whose value is not base64. */
const badBinaryHeader = (key: string): string => `Error parsing '${key}' metadata: illegal base64 encoding`;
/** A compression algorithm this server does not know (compression.md: UNIMPLEMENTED, with grpc-accept-encoding). */
const unknownEncoding = (name: string): string => `Compression algorithm '${name}' is not supported.`;
/** An algorithm `grpc.compression_enabled_algorithms_bitset` turned off (C-core's text). */
const disabledEncoding = (name: string): string => `Compression algorithm '${name}' is disabled.`;

/** Why a request was refused before it reached a handler (a bad header). */
interface Refusal {
  readonly code: StatusCode;
  readonly details: string;
  readonly extra?: OutgoingHttpHeaders;
}

/** A header's value when it was sent once (Node gives an array only for a few repeated names). */
export function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** True for `application/grpc` and `application/grpc+subtype` (with parameters or not). */
export function isGrpcContentType(value: string | undefined): boolean {
  if (value === 'application/grpc') return true;
  if (value === undefined || !value.startsWith('application/grpc')) return false;
  const rest = value.slice('application/grpc'.length);
  return rest === '' || rest.startsWith('+') || rest.startsWith(';');
}

/**
 * What the headers of a gRPC request (its content type checked already) say of its call, or why it
 * is refused: PROTOCOL-HTTP2.md leaves room for a Trailers-Only status with C-core's text where the
 * method is not POST or `te: trailers` is missing (C-core 1.84 answers other methods so, or resets
 * the stream after a random delay).
 */
export function grpcCallStart(
  headers: IncomingHttpHeaders,
  rawHeaders: readonly string[],
  compressions: CompressionSet,
): CallStart | Refusal {
  if (headers[':method'] !== 'POST') return { code: StatusCode.INTERNAL, details: badHeader(':method') };
  if (headers.te !== 'trailers') return { code: StatusCode.INTERNAL, details: badHeader('te') };
  return callStart(headers, rawHeaders, compressions);
}

/** What the headers of a gRPC (or gRPC-Web) request say of its call, or why it is refused. */
export function callStart(
  headers: IncomingHttpHeaders,
  rawHeaders: readonly string[],
  compressions: CompressionSet,
): CallStart | Refusal {
  const badBinary = invalidBinaryHeader(rawHeaders);
  if (badBinary !== undefined) return { code: StatusCode.INTERNAL, details: badBinaryHeader(badBinary) };
  let deadline = Number.POSITIVE_INFINITY;
  const timeout = single(headers['grpc-timeout']);
  if (timeout !== undefined) {
    const ms = parseGrpcTimeout(timeout);
    if (ms === undefined) return { code: StatusCode.INTERNAL, details: badHeader('grpc-timeout') };
    deadline = Date.now() + ms;
  }
  let requestCompression: Compression = Compression.NoCompression;
  const encoding = single(headers['grpc-encoding']);
  if (encoding !== undefined && encoding !== 'identity') {
    const algorithm = algorithmOf(encoding);
    const extra = { 'grpc-accept-encoding': compressions.acceptEncoding };
    if (algorithm === undefined) {
      return { code: StatusCode.UNIMPLEMENTED, details: unknownEncoding(encoding), extra };
    }
    if (!compressions.has(algorithm)) {
      return { code: StatusCode.UNIMPLEMENTED, details: disabledEncoding(encoding), extra };
    }
    requestCompression = algorithm;
  }
  return {
    deadline,
    requestCompression,
    acceptedByClient: acceptedAlgorithms(single(headers['grpc-accept-encoding'])),
  };
}

/** Headers of an HTTP/1.1 request that are about the connection, never metadata (nor HTTP/2 headers). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'expect',
  'http2-settings',
]);
const METADATA_KEY = /^[0-9a-z_.-]+$/;

/** The header list of a gRPC-Web request as metadata sees it: lowercase names, no hop-by-hop headers. */
export function webRawHeaders(rawHeaders: readonly string[]): string[] {
  const result: string[] = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = (rawHeaders[index] as string).toLowerCase();
    if (HOP_BY_HOP.has(name) || (name.charCodeAt(0) !== 0x3a && !METADATA_KEY.test(name))) continue;
    result.push(name, rawHeaders[index + 1] as string);
  }
  return result;
}
