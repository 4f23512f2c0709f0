import {
  constants,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
  type ServerStreamResponseOptions,
} from 'node:http2';
import { StatusCode } from '@grpc-aio/core';
import type { Metadata } from '@grpc-aio/metadata';
import type { TransportStatus } from '../server-call-transport.js';
import { BaseServerCall, type CallConnection, type CallSettings, type CallStart } from './base-call.js';
import type { ConnectionKeeper } from './connection-keeper.js';
import { encodeGrpcMessage, statusHeaders } from './wire-metadata.js';

/** What every call of one HTTP/2 connection shares. */
export interface ConnectionInfo extends CallConnection {
  /** Keepalive, ping enforcement, idleness and reset bursts of the connection. */
  readonly keeper: ConnectionKeeper;
}

// `sendDate: false` is an option of Node's respond() that @types/node does not list: without it every
// response carries a `date` header, which C-core does not send and Python clients show as metadata.
const WITH_TRAILERS = { waitForTrailers: true, sendDate: false } as ServerStreamResponseOptions;
const END_STREAM = { endStream: true, sendDate: false } as ServerStreamResponseOptions;

const OK_TRAILERS: OutgoingHttpHeaders = Object.freeze({ 'grpc-status': '0' });

/** The trailers of `status` (one frozen object for a plain OK). */
function trailersOf(status: TransportStatus): OutgoingHttpHeaders {
  return status.code === StatusCode.OK && status.details === '' && status.metadata === null
    ? OK_TRAILERS
    : statusHeaders(status);
}

// Each stream carries its call, so that one set of listeners (called with the stream as `this`)
// serves every call: no closures per call.
const CALL = Symbol('grpc-aio.call');
type CallStream = ServerHttp2Stream & { [CALL]: Http2ServerCall };
let onData: (this: CallStream, chunk: Buffer) => void;
let onEnd: (this: CallStream) => void;
let onClose: (this: CallStream) => void;
let onWantTrailers: (this: CallStream) => void;

/** One gRPC call on an HTTP/2 stream: the {@link ServerCallTransport} of the server's transport. */
export class Http2ServerCall extends BaseServerCall {
  readonly #stream: ServerHttp2Stream;
  #trailers: OutgoingHttpHeaders = OK_TRAILERS;

  static {
    onData = function (chunk) {
      this[CALL].requests.push(chunk);
    };
    onEnd = function () {
      this[CALL].requests.end();
    };
    onClose = function () {
      const call = this[CALL];
      call.connection.keeper?.streamEnded((this.rstCode ?? 0) !== 0);
      call.closed();
    };
    onWantTrailers = function () {
      const call = this[CALL];
      this.sendTrailers(call.#trailers);
      stopRequests(this);
    };
  }

  constructor(
    stream: ServerHttp2Stream,
    rawHeaders: readonly string[],
    settings: CallSettings,
    connection: ConnectionInfo,
    start: CallStart,
  ) {
    super(stream, rawHeaders, settings, connection, start);
    this.#stream = stream;
  }

  protected override listen(): void {
    const stream = this.#stream as CallStream;
    stream[CALL] = this;
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('close', onClose);
    stream.on('wantTrailers', onWantTrailers);
  }

  protected override gone(): boolean {
    return this.#stream.destroyed;
  }

  protected override respond(metadata: Metadata | undefined): void {
    this.headersSent = true;
    const headers: OutgoingHttpHeaders = {
      ':status': 200,
      'content-type': 'application/grpc',
      'grpc-accept-encoding': this.settings.compressions.acceptEncoding,
    };
    this.addResponseHeaders(headers, metadata);
    this.#stream.respond(headers, WITH_TRAILERS);
    this.connection.keeper?.sent();
  }

  protected override write(frame: Buffer, callback: () => void): void {
    this.#stream.write(frame, callback);
  }

  protected override endWithStatus(status: TransportStatus, final: Buffer | undefined): void {
    if (!this.headersSent) this.respond(undefined);
    // Sent on 'wantTrailers', once the stream has written everything before them.
    this.#trailers = trailersOf(status);
    if (final === undefined) this.#stream.end();
    else this.#stream.end(final);
  }

  protected override endTrailersOnly(status: TransportStatus): void {
    // One HEADERS frame with END_STREAM.
    this.#stream.respond(
      { ':status': 200, 'content-type': 'application/grpc', ...trailersOf(status) },
      END_STREAM,
    );
    stopRequests(this.#stream);
  }
}

/** Ends a stream that is not a gRPC call with an HTTP status (no gRPC semantics apply). */
export function refuseHttp(
  stream: ServerHttp2Stream,
  status: number,
  headers: OutgoingHttpHeaders = {},
): void {
  if (stream.destroyed) return;
  stream.respond({ ':status': status, ...headers }, END_STREAM);
  // Whatever the client still sends is discarded; one that goes on sending is told to stop.
  stream.resume();
  stopRequests(stream);
}

/**
 * The response is complete: a client still sending is told to stop with RST_STREAM(NO_ERROR), as
 * C-core does (RFC 9113 section 8.1), so that the stream does not stay half-open.
 */
function stopRequests(stream: ServerHttp2Stream): void {
  if (stream.readableEnded || stream.destroyed) return;
  // Not at once: nghttp2 drops the trailers still queued for a stream it is told to reset.
  setImmediate(() => {
    if (!stream.readableEnded && !stream.destroyed) stream.close(constants.NGHTTP2_NO_ERROR);
  });
}

/** Ends a gRPC call before it reached the server (a bad header): Trailers-Only with `code`. */
export function refuseCall(
  stream: ServerHttp2Stream,
  code: StatusCode,
  details: string,
  extra: OutgoingHttpHeaders = {},
): void {
  refuseHttp(stream, 200, {
    'content-type': 'application/grpc',
    'grpc-status': String(code),
    'grpc-message': encodeGrpcMessage(details),
    ...extra,
  });
}
