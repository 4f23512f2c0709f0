import {
  constants,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
  type ServerStreamResponseOptions,
} from 'node:http2';
import { Compression, type ServerCallTelemetry, StatusCode } from '@grpc-aio/core';
import type { Metadata } from '@grpc-aio/metadata';
import type { PeerAuth } from '../auth-context.js';
import type { ChannelzServer, ChannelzSocket } from '../channelz.js';
import { CANCELLED_BY_CLIENT } from '../messages.js';
import type { ServerCallTransport, TransportStatus } from '../server-call-transport.js';
import { type ServerRpc, serverRpcEvents } from '../server-rpc.js';
import { algorithmName, type CompressionSet, compress } from './compression.js';
import type { ConnectionKeeper } from './connection-keeper.js';
import { LongTimer } from './long-timer.js';
import { encodeFrame } from './message-framer.js';
import { DEADLINE_EXCEEDED_DETAILS, sentTooLarge } from './messages.js';
import { FAIL_REQUESTS, PAUSE_REQUESTS, type ReaderCall, RequestReader } from './request-reader.js';
import { addMetadataHeaders, encodeGrpcMessage, requestMetadata } from './wire-metadata.js';

/** What every call of a server shares. */
export interface CallSettings {
  /** `grpc.max_receive_message_length` (bytes, after decompression too). */
  readonly maxReceiveMessageLength: number;
  /** `grpc.max_send_message_length` (bytes; Infinity for no limit). */
  readonly maxSendMessageLength: number;
  /** The algorithms enabled by `grpc.compression_enabled_algorithms_bitset`. */
  readonly compressions: CompressionSet;
  /** The server's response compression (`compression=` / `grpc.default_compression_algorithm`). */
  readonly defaultCompression: Compression;
}

/** What every call of one connection shares. */
export interface ConnectionInfo {
  /** The peer in C-core's form. */
  readonly peer: string;
  /** The connection's security, computed once. */
  peerAuth(): PeerAuth;
  /** Keepalive, ping enforcement, idleness and reset bursts of the connection. */
  readonly keeper: ConnectionKeeper;
  /** Channelz counters of the server and of this connection (none with `grpc.enable_channelz` 0). */
  readonly channelzServer: ChannelzServer | undefined;
  readonly channelzSocket: ChannelzSocket | undefined;
}

/** What a call's request headers said, checked by the dispatcher. */
export interface CallStart {
  /** The deadline in ms since the epoch, or Infinity. */
  readonly deadline: number;
  /** The compression of the requests (`grpc-encoding`; NoCompression when absent). */
  readonly requestCompression: Compression;
  /** The algorithms the client accepts for responses (`grpc-accept-encoding`), as bits. */
  readonly acceptedByClient: number;
}

// `sendDate: false` is an option of Node's respond() that @types/node does not list: without it every
// response carries a `date` header, which C-core does not send and Python clients show as metadata.
const WITH_TRAILERS = { waitForTrailers: true, sendDate: false } as ServerStreamResponseOptions;
const END_STREAM = { endStream: true, sendDate: false } as ServerStreamResponseOptions;

const OK_TRAILERS: OutgoingHttpHeaders = Object.freeze({ 'grpc-status': '0' });

// Each stream carries its call, so that one set of listeners (called with the stream as `this`)
// serves every call: no closures per call.
const CALL = Symbol('grpc-aio.call');
type CallStream = ServerHttp2Stream & { [CALL]: Http2ServerCall };
let onData: (this: CallStream, chunk: Buffer) => void;
let onEnd: (this: CallStream) => void;
let onClose: (this: CallStream) => void;
let onWantTrailers: (this: CallStream) => void;

/** One gRPC call on an HTTP/2 stream: the {@link ServerCallTransport} of the server's transport. */
export class Http2ServerCall implements ServerCallTransport, ReaderCall {
  readonly #stream: ServerHttp2Stream;
  readonly #rawHeaders: readonly string[];
  readonly #settings: CallSettings;
  readonly #connection: ConnectionInfo;
  readonly #start: CallStart;
  readonly #requests: RequestReader;
  #rpc: ServerRpc | undefined;
  #telemetry: ServerCallTelemetry | undefined;
  #timer: LongTimer | undefined;
  #responseCompression: Compression;

  // Responses.
  #headersSent = false;
  #finished = false;
  #trailers: OutgoingHttpHeaders = OK_TRAILERS;
  #finalFrame: Buffer | undefined;

  static {
    onData = function (chunk) {
      this[CALL].#requests.push(chunk);
    };
    onEnd = function () {
      this[CALL].#requests.end();
    };
    onClose = function () {
      const call = this[CALL];
      call.#connection.keeper.streamEnded((this.rstCode ?? 0) !== 0);
      call.#onClose();
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
    this.#stream = stream;
    this.#rawHeaders = rawHeaders;
    this.#settings = settings;
    this.#connection = connection;
    this.#start = start;
    this.#requests = new RequestReader(
      this,
      settings.maxReceiveMessageLength,
      start.requestCompression,
      connection.channelzSocket,
    );
    this.#responseCompression = this.#usable(settings.defaultCompression);
  }

  /** Starts the call for `rpc`: request bytes flow, the deadline runs. */
  attach(rpc: ServerRpc, telemetry: ServerCallTelemetry | undefined): void {
    this.#rpc = rpc;
    this.#telemetry = telemetry;
    this.#requests.attach(rpc, telemetry);
    const stream = this.#stream as CallStream;
    stream[CALL] = this;
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('close', onClose);
    stream.on('wantTrailers', onWantTrailers);
    this.#connection.keeper.streamStarted();
    if (Number.isFinite(this.#start.deadline)) {
      this.#timer = new LongTimer(this.#start.deadline, () => this.#expire());
    }
    const { channelzServer, channelzSocket } = this.#connection;
    if (channelzServer !== undefined && channelzSocket !== undefined) {
      const now = Date.now();
      channelzServer.callsStarted++;
      channelzServer.lastCallStarted = now;
      channelzSocket.streamsStarted++;
      channelzSocket.lastRemoteStreamCreated = now;
    }
  }

  /** Counts the end of the call in channelz. */
  #count(ok: boolean): void {
    const { channelzServer, channelzSocket } = this.#connection;
    if (channelzServer === undefined || channelzSocket === undefined) return;
    if (ok) {
      channelzServer.callsSucceeded++;
      channelzSocket.streamsSucceeded++;
    } else {
      channelzServer.callsFailed++;
      channelzSocket.streamsFailed++;
    }
  }

  // ---- requests ----------------------------------------------------------------------------------

  startRead(): void {
    this.#requests.startRead();
  }

  [PAUSE_REQUESTS](paused: boolean): void {
    if (paused) this.#stream.pause();
    else this.#stream.resume();
  }

  [FAIL_REQUESTS](code: StatusCode, details: string): void {
    this.#fail(code, details);
  }

  // ---- responses ---------------------------------------------------------------------------------

  /** The compression to use for `wanted`: identity unless enabled here and accepted by the client. */
  #usable(wanted: Compression): Compression {
    if (wanted === Compression.NoCompression) return wanted;
    if (!this.#settings.compressions.has(wanted)) return Compression.NoCompression;
    return (this.#start.acceptedByClient & (1 << wanted)) !== 0 ? wanted : Compression.NoCompression;
  }

  setCompression(compression: Compression): void {
    this.#responseCompression = this.#usable(compression);
  }

  #respond(metadata: Metadata | undefined): void {
    this.#headersSent = true;
    const headers: OutgoingHttpHeaders = {
      ':status': 200,
      'content-type': 'application/grpc',
      'grpc-accept-encoding': this.#settings.compressions.acceptEncoding,
    };
    if (this.#responseCompression !== Compression.NoCompression) {
      headers['grpc-encoding'] = algorithmName(this.#responseCompression);
    }
    addMetadataHeaders(headers, metadata);
    this.#stream.respond(headers, WITH_TRAILERS);
    this.#connection.keeper.sent();
  }

  sendMetadata(metadata: Metadata): void {
    if (this.#finished || this.#headersSent || this.#stream.destroyed) return;
    this.#respond(metadata);
  }

  sendMessage(message: Buffer, callback: () => void, compressMessage: boolean): void {
    const frame = this.#frame(message, compressMessage);
    if (frame !== undefined) this.#stream.write(frame, callback);
  }

  sendFinalMessage(message: Buffer, compressMessage: boolean): void {
    // Held for the status that follows: stream.end(frame) sends both with one write.
    this.#finalFrame = this.#frame(message, compressMessage);
  }

  /** The wire form of one response (headers go first), or undefined when it cannot be sent. */
  #frame(message: Buffer, compressMessage: boolean): Buffer | undefined {
    if (this.#finished || this.#stream.destroyed) return undefined;
    const limit = this.#settings.maxSendMessageLength;
    if (message.length > limit) {
      this.#fail(StatusCode.RESOURCE_EXHAUSTED, sentTooLarge(message.length, limit));
      return undefined;
    }
    if (!this.#headersSent) this.#respond(undefined);
    const compression = this.#responseCompression;
    const frame =
      compressMessage && compression !== Compression.NoCompression
        ? encodeFrame(compress(compression, message), true)
        : encodeFrame(message, false);
    this.#telemetry?.onSent(frame.length - 5);
    const channelz = this.#connection.channelzSocket;
    if (channelz !== undefined) {
      channelz.messagesSent++;
      channelz.lastMessageSent = Date.now();
    }
    this.#connection.keeper.sent();
    return frame;
  }

  sendStatus(status: TransportStatus): void {
    if (this.#finished) return;
    this.#finish();
    this.#telemetry?.onEnd(status.code, status.details);
    this.#count(status.code === StatusCode.OK);
    const stream = this.#stream;
    if (stream.destroyed) return;
    let trailers: OutgoingHttpHeaders;
    if (status.code === StatusCode.OK && status.details === '' && status.metadata === null) {
      trailers = OK_TRAILERS;
    } else {
      trailers = { 'grpc-status': String(status.code) };
      if (status.details !== '') trailers['grpc-message'] = encodeGrpcMessage(status.details);
      addMetadataHeaders(trailers, status.metadata);
    }
    if (this.#headersSent) {
      this.#trailers = trailers;
      const final = this.#finalFrame;
      this.#finalFrame = undefined;
      if (final === undefined) stream.end();
      else stream.end(final);
      return;
    }
    // Trailers-Only: one HEADERS frame with END_STREAM.
    this.#headersSent = true;
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...trailers }, END_STREAM);
    stopRequests(this.#stream);
  }

  /** This side is done: no more requests are read (those still arriving are discarded). */
  #finish(): void {
    this.#finished = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#requests.stop();
  }

  /** Ends the call for a problem the transport found, and tells the RPC. */
  #fail(code: StatusCode, details: string): void {
    if (this.#finished) return;
    this.sendStatus({ code, details, metadata: null });
    serverRpcEvents.cancel(this.#rpc as ServerRpc, 'runtime');
  }

  #expire(): void {
    this.#timer = undefined;
    if (this.#finished) return;
    this.sendStatus({
      code: StatusCode.DEADLINE_EXCEEDED,
      details: DEADLINE_EXCEEDED_DETAILS,
      metadata: null,
    });
    // The client may still be sending: it learns from the status; the stream is not reset.
    serverRpcEvents.cancel(this.#rpc as ServerRpc, 'deadline');
  }

  #onClose(): void {
    if (this.#finished) return;
    // The stream closed before this side sent a status: the client reset it, or the connection went.
    this.#finish();
    this.#count(false);
    this.#telemetry?.onEnd(StatusCode.CANCELLED, CANCELLED_BY_CLIENT);
    serverRpcEvents.cancel(this.#rpc as ServerRpc, 'client');
  }

  // ---- about the call ----------------------------------------------------------------------------

  getRequestMetadata(): Metadata {
    return requestMetadata(this.#rawHeaders);
  }

  getPeer(): string {
    return this.#connection.peer;
  }

  getDeadline(): number {
    return this.#start.deadline;
  }

  getPeerAuth(): PeerAuth {
    return this.#connection.peerAuth();
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
