import type { OutgoingHttpHeaders } from 'node:http2';
import { Metadata, type MetadataValue } from '@grpc-aio/metadata';
import type { TransportStatus } from '../server-call-transport.js';

// Metadata on the wire (doc/PROTOCOL-HTTP2.md in grpc/grpc): request metadata comes from the raw
// header list, so a key sent twice stays two values (Node's headers object joins them with ", ");
// `-bin` values are base64, with or without padding.

/**
 * Request headers that belong to the transport, never to `invocationMetadata()`: the pseudo-headers
 * and what C-core's server takes out of the metadata batch it hands to the application (C-core's
 * PublishToAppEncoder; packages/interop/test/server-transport.test.ts compares with a Python
 * grpc.aio server). `host` is C-core's `:authority` when that is missing.
 */
const RESERVED_REQUEST = new Set([
  'content-type',
  'te',
  'host',
  'grpc-timeout',
  'grpc-encoding',
  'grpc-accept-encoding',
  'grpc-internal-encoding-request',
  'grpc-status',
  'grpc-message',
  'grpc-trace-bin',
  'grpc-tags-bin',
  'grpc-server-stats-bin',
  'endpoint-load-metrics-bin',
  'lb-cost-bin',
]);

/**
 * Response headers and trailers the transport writes itself: metadata under these keys from a
 * handler is not sent (it would corrupt the response's framing or status).
 */
const RESERVED_RESPONSE = new Set([
  'content-type',
  'te',
  'grpc-status',
  'grpc-message',
  'grpc-encoding',
  'grpc-accept-encoding',
  'grpc-timeout',
  'content-length',
  'transfer-encoding',
  'connection',
  'date',
]);

/** The invocation metadata of a request, from its raw header list (`[name, value, name, value, ...]`). */
export function requestMetadata(rawHeaders: readonly string[]): Metadata {
  const entries = new Map<string, MetadataValue[]>();
  // C-core hands the user agent over first (a typed field of its metadata batch), the rest in order.
  const userAgent = rawHeaders.indexOf('user-agent');
  if (userAgent >= 0 && userAgent % 2 === 0) entries.set('user-agent', []);
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const key = rawHeaders[index] as string;
    if (key.charCodeAt(0) === 0x3a /* : */ || RESERVED_REQUEST.has(key)) continue;
    const raw = rawHeaders[index + 1] as string;
    const value: MetadataValue = key.endsWith('-bin') ? Buffer.from(raw, 'base64') : raw;
    const values = entries.get(key);
    if (values === undefined) entries.set(key, [value]);
    else values.push(value);
  }
  return Metadata.unchecked(entries);
}

// Standard base64, padding optional (C-core strips it), at least two characters per final group.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2,3})?={0,2}$/;

/** The first `-bin` request header whose value is not base64, if any. */
export function invalidBinaryHeader(rawHeaders: readonly string[]): string | undefined {
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const key = rawHeaders[index] as string;
    // 0x6e: 'n', a cheap first look before endsWith.
    if (
      key.charCodeAt(key.length - 1) === 0x6e &&
      key.endsWith('-bin') &&
      !BASE64.test(rawHeaders[index + 1] as string)
    ) {
      return key;
    }
  }
  return undefined;
}

/** Adds `metadata` to response headers or trailers (binary values as base64; repeated keys as repeated fields). */
export function addMetadataHeaders(
  headers: OutgoingHttpHeaders,
  metadata: Metadata | null | undefined,
): void {
  if (metadata == null || metadata.size === 0) return;
  for (const key of metadata.keys()) {
    if (RESERVED_RESPONSE.has(key)) continue;
    const values = metadata
      .getAll(key)
      .map((value) =>
        typeof value === 'string'
          ? value
          : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'),
      );
    headers[key] = values.length === 1 ? values[0] : values;
  }
}

/**
 * The headers of a status: `grpc-status`, `grpc-message` (unless the details are empty) and the
 * trailing metadata, as trailers, a Trailers-Only response or a gRPC-Web trailer frame carry them.
 */
export function statusHeaders(status: TransportStatus): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { 'grpc-status': String(status.code) };
  if (status.details !== '') headers['grpc-message'] = encodeGrpcMessage(status.details);
  addMetadataHeaders(headers, status.metadata);
  return headers;
}

// Bytes sent as they are in grpc-message: printable ASCII except '%' (PROTOCOL-HTTP2.md, "Status-Message").
function isUnreserved(byte: number): boolean {
  return byte >= 0x20 && byte <= 0x7e && byte !== 0x25;
}

/** `grpc-message`: the UTF-8 bytes of `details`, percent-encoded where not printable ASCII (and '%'). */
export function encodeGrpcMessage(details: string): string {
  let plain = true;
  for (let index = 0; index < details.length; index++) {
    const code = details.charCodeAt(index);
    if (code < 0x20 || code > 0x7e || code === 0x25) {
      plain = false;
      break;
    }
  }
  if (plain) return details;
  let out = '';
  for (const byte of Buffer.from(details, 'utf8')) {
    out += isUnreserved(byte)
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
