import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  constants,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
  type ServerStreamResponseOptions,
} from 'node:http2';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { Compression, type ServerCallTelemetry, StatusCode } from '@grpc-aio/core';
import type { Metadata } from '@grpc-aio/metadata';
import type { PeerAuth } from '../auth-context.js';
import type { ChannelzServer, ChannelzSocket } from '../channelz.js';
import { CANCELLED_BY_CLIENT } from '../messages.js';
import type { RpcHost } from '../rpc-host.js';
import type { ServerCallTransport, TransportStatus } from '../server-call-transport.js';
import { type ServerRpc, serverRpcEvents } from '../server-rpc.js';
import { algorithmName, compress } from './compression.js';
import type { ConnectionKeeper } from './connection-keeper.js';
import { Base64Decoder, corsResponseHeaders, type GrpcWebSettings } from './grpc-web.js';
import type { CallSettings, CallStart } from './http2-call.js';
import { LongTimer } from './long-timer.js';
import { encodeFrame } from './message-framer.js';
import { DEADLINE_EXCEEDED_DETAILS, sentTooLarge } from './messages.js';
import { FAIL_REQUESTS, PAUSE_REQUESTS, type ReaderCall, RequestReader } from './request-reader.js';
import { addMetadataHeaders, encodeGrpcMessage, requestMetadata } from './wire-metadata.js';

// One gRPC-Web call (doc/PROTOCOL-WEB.md in grpc/grpc), on an HTTP/2 stream or an HTTP/1.1
// request: the same ServerCallTransport as a gRPC call, with the status sent as a last
// length-prefixed frame (flag 0x80) of HTTP/1-style header lines instead of HTTP trailers, and the
// whole body base64 in the text variant.

/** The details of a gRPC-Web call to a client-streaming or bidi-streaming method. */
export const streamingOverGrpcWeb = (method: string): string =>
  `Method ${method} streams requests, which gRPC-Web cannot carry (only unary and server-streaming methods can be called over gRPC-Web)`;
/** The details of a grpc-web-text request whose body is not base64. */
export const BAD_BASE64 = 'Received a grpc-web-text request body that is not valid base64';

/** What the calls of one connection share (an HTTP/2 session's or an HTTP/1.1 socket's). */
export interface WebConnection {
  readonly peer: string;
  peerAuth(): PeerAuth;
  /** The HTTP/2 connection's keeper (idleness counts the call); none over HTTP/1.1. */
  readonly keeper?: ConnectionKeeper | undefined;
  readonly channelzServer: ChannelzServer | undefined;
  readonly channelzSocket: ChannelzSocket | undefined;
}

/** One HTTP request and its response: an HTTP/2 stream or an HTTP/1.1 request/response pair. */
export interface WebExchange {
  /** The request body. */
  readonly body: Readable;
  /** Sends the response headers (status 200 unless `status`); `end` ends the response with them. */
  respond(headers: OutgoingHttpHeaders, end: boolean, status?: number): void;
  write(chunk: Buffer, callback: () => void): void;
  end(chunk: Buffer | undefined): void;
  /** True once nothing more can be sent (the client went away). */
  readonly gone: boolean;
  /** `listener` runs once the exchange is over: the response was sent, or the client went away. */
  onClose(listener: () => void): void;
}

// `sendDate: false`: see http2-call.ts.
const H2_HEADERS = { sendDate: false } as ServerStreamResponseOptions;
const H2_END = { endStream: true, sendDate: false } as ServerStreamResponseOptions;

/** A gRPC-Web exchange on an HTTP/2 stream. */
export class Http2WebExchange implements WebExchange {
  readonly #stream: ServerHttp2Stream;

  constructor(stream: ServerHttp2Stream) {
    this.#stream = stream;
  }

  get body(): Readable {
    return this.#stream;
  }

  respond(headers: OutgoingHttpHeaders, end: boolean, status = 200): void {
    if (this.#stream.destroyed || this.#stream.headersSent) return;
    this.#stream.respond({ ':status': status, ...headers }, end ? H2_END : H2_HEADERS);
    if (end) this.#stopRequests();
  }

  write(chunk: Buffer, callback: () => void): void {
    this.#stream.write(chunk, callback);
  }

  end(chunk: Buffer | undefined): void {
    if (chunk === undefined) this.#stream.end();
    else this.#stream.end(chunk);
    this.#stopRequests();
  }

  get gone(): boolean {
    return this.#stream.destroyed;
  }

  onClose(listener: () => void): void {
    this.#stream.once('close', listener);
  }

  /** As in http2-call.ts: a client still sending after the response is told to stop. */
  #stopRequests(): void {
    const stream = this.#stream;
    stream.resume();
    if (stream.readableEnded || stream.destroyed) return;
    setImmediate(() => {
      if (!stream.readableEnded && !stream.destroyed) stream.close(constants.NGHTTP2_NO_ERROR);
    });
  }
}

/**
 * A gRPC-Web exchange on an HTTP/1.1 request (node:http). Requests may be pipelined: the response of
 * one queued behind another has no socket yet, and gets no 'close' of its own when the connection
 * goes, so the connection's socket is watched too (the transport calls {@link closed}).
 */
export class Http1WebExchange implements WebExchange {
  readonly #request: IncomingMessage;
  readonly #response: ServerResponse;
  readonly #socket: Socket;
  #closed = false;
  #listener: (() => void) | undefined;

  constructor(request: IncomingMessage, response: ServerResponse) {
    this.#request = request;
    this.#response = response;
    this.#socket = request.socket;
    response.sendDate = false;
  }

  get body(): Readable {
    return this.#request;
  }

  respond(headers: OutgoingHttpHeaders, end: boolean, status = 200): void {
    const response = this.#response;
    if (response.headersSent || this.gone) return;
    // A request body not read to its end is not worth reading past the response: the connection
    // closes after it instead of being kept alive.
    if (!this.#request.complete) response.shouldKeepAlive = false;
    if (end && headers['content-length'] === undefined) headers['content-length'] = '0';
    response.writeHead(status, headers as Record<string, string | string[] | number>);
    if (end) this.end(undefined);
  }

  write(chunk: Buffer, callback: () => void): void {
    this.#response.write(chunk, callback);
  }

  end(chunk: Buffer | undefined): void {
    if (chunk === undefined) this.#response.end();
    else this.#response.end(chunk);
    // Whatever the client still sends is discarded.
    this.#request.resume();
  }

  get gone(): boolean {
    return this.#closed || this.#response.destroyed || this.#socket.destroyed;
  }

  onClose(listener: () => void): void {
    this.#listener = listener;
    if (this.#closed) listener();
  }

  /** The server is stopping: a response not yet begun says `connection: close`. */
  lastOnConnection(): void {
    if (!this.#response.headersSent) this.#response.shouldKeepAlive = false;
  }

  /** The response was sent, or the connection went: the exchange is over (once). */
  closed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#listener?.();
  }
}

/** What the dispatcher found in a gRPC-Web request. */
export interface WebCallStart extends CallStart {
  /** grpc-web-text: base64 both ways. */
  readonly text: boolean;
  readonly responseType: string;
  /** The request's origin when allowed and cross-origin (CORS headers go with the response). */
  readonly origin: string | undefined;
}

const TRAILERS = 0x80;

/** The trailer frame of a status: flag 0x80, then `key: value\r\n` lines. */
function trailerFrame(status: TransportStatus): Buffer {
  const headers: OutgoingHttpHeaders = { 'grpc-status': String(status.code) };
  if (status.details !== '') headers['grpc-message'] = encodeGrpcMessage(status.details);
  addMetadataHeaders(headers, status.metadata);
  let block = '';
  for (const [key, value] of Object.entries(headers)) {
    for (const one of Array.isArray(value) ? value : [value]) block += `${key}: ${String(one)}\r\n`;
  }
  const payload = Buffer.from(block, 'utf8');
  const frame = Buffer.allocUnsafe(5 + payload.length);
  frame[0] = TRAILERS;
  frame.writeUInt32BE(payload.length, 1);
  payload.copy(frame, 5);
  return frame;
}

/** One gRPC-Web call: the {@link ServerCallTransport} of a gRPC-Web request. */
export class GrpcWebCall implements ServerCallTransport, ReaderCall {
  readonly #exchange: WebExchange;
  readonly #rawHeaders: readonly string[];
  readonly #settings: CallSettings;
  readonly #web: GrpcWebSettings;
  readonly #connection: WebConnection;
  readonly #start: WebCallStart;
  readonly #requests: RequestReader;
  readonly #base64: Base64Decoder | undefined;
  #rpc: ServerRpc | undefined;
  #telemetry: ServerCallTelemetry | undefined;
  #timer: LongTimer | undefined;
  #responseCompression: Compression;

  #headersSent = false;
  #finished = false;
  #finalFrame: Buffer | undefined;

  constructor(
    exchange: WebExchange,
    rawHeaders: readonly string[],
    settings: CallSettings,
    web: GrpcWebSettings,
    connection: WebConnection,
    start: WebCallStart,
  ) {
    this.#exchange = exchange;
    this.#rawHeaders = rawHeaders;
    this.#settings = settings;
    this.#web = web;
    this.#connection = connection;
    this.#start = start;
    this.#requests = new RequestReader(
      this,
      settings.maxReceiveMessageLength,
      start.requestCompression,
      connection.channelzSocket,
    );
    this.#base64 = start.text ? new Base64Decoder() : undefined;
    this.#responseCompression = this.#usable(settings.defaultCompression);
  }

  /**
   * The host an RPC of this call runs on: `host`, except that a method that streams requests is
   * answered UNIMPLEMENTED (gRPC-Web has no way to send a request stream).
   */
  host(host: RpcHost): RpcHost {
    return {
      interceptors: host.interceptors,
      codec: host.codec,
      clock: host.clock,
      admit: () => host.admit(),
      ended: (rpc, admitted) => host.ended(rpc, admitted),
      findHandler: (path, details) => {
        const handler = host.findHandler(path, details);
        if (handler != null && (handler as { requestStreaming?: unknown }).requestStreaming === true) {
          // The RPC then finds no handler; its own UNIMPLEMENTED goes nowhere (this one was sent).
          this.sendStatus({
            code: StatusCode.UNIMPLEMENTED,
            details: streamingOverGrpcWeb(path),
            metadata: null,
          });
          return null;
        }
        return handler;
      },
    };
  }

  /** Starts the call for `rpc`: request bytes flow, the deadline runs. */
  attach(rpc: ServerRpc, telemetry: ServerCallTelemetry | undefined): void {
    this.#rpc = rpc;
    this.#telemetry = telemetry;
    this.#requests.attach(rpc, telemetry);
    const body = this.#exchange.body;
    body.on('data', (chunk: Buffer) => this.#onData(chunk));
    body.on('end', () => this.#onEnd());
    body.on('error', () => {});
    this.#exchange.onClose(() => this.#onClose());
    this.#connection.keeper?.streamStarted();
    if (Number.isFinite(this.#start.deadline)) {
      this.#timer = new LongTimer(this.#start.deadline, () => this.#expire());
    }
    const { channelzServer, channelzSocket } = this.#connection;
    const now = Date.now();
    if (channelzServer !== undefined) {
      channelzServer.callsStarted++;
      channelzServer.lastCallStarted = now;
    }
    if (channelzSocket !== undefined) {
      channelzSocket.streamsStarted++;
      channelzSocket.lastRemoteStreamCreated = now;
    }
  }

  #count(ok: boolean): void {
    const { channelzServer, channelzSocket } = this.#connection;
    if (channelzServer !== undefined) {
      if (ok) channelzServer.callsSucceeded++;
      else channelzServer.callsFailed++;
    }
    if (channelzSocket !== undefined) {
      if (ok) channelzSocket.streamsSucceeded++;
      else channelzSocket.streamsFailed++;
    }
  }

  // ---- requests ----------------------------------------------------------------------------------

  #onData(chunk: Buffer): void {
    if (this.#finished) return;
    let bytes: Buffer | undefined = chunk;
    if (this.#base64 !== undefined) {
      bytes = this.#base64.push(chunk);
      if (bytes === undefined) {
        this.#fail(StatusCode.INTERNAL, BAD_BASE64);
        return;
      }
    }
    this.#push(bytes);
  }

  #onEnd(): void {
    if (this.#finished) return;
    if (this.#base64 !== undefined) {
      const rest = this.#base64.end();
      if (rest === undefined) {
        this.#fail(StatusCode.INTERNAL, BAD_BASE64);
        return;
      }
      if (rest.length > 0 && !this.#push(rest)) return;
    }
    this.#requests.end();
  }

  /** Feeds request bytes to the framer; false when they ended the call. */
  #push(bytes: Buffer): boolean {
    return this.#requests.push(bytes);
  }

  startRead(): void {
    this.#requests.startRead();
  }

  [PAUSE_REQUESTS](paused: boolean): void {
    if (paused) this.#exchange.body.pause();
    else this.#exchange.body.resume();
  }

  [FAIL_REQUESTS](code: StatusCode, details: string): void {
    this.#fail(code, details);
  }

  // ---- responses ---------------------------------------------------------------------------------

  #usable(wanted: Compression): Compression {
    if (wanted === Compression.NoCompression) return wanted;
    if (!this.#settings.compressions.has(wanted)) return Compression.NoCompression;
    return (this.#start.acceptedByClient & (1 << wanted)) !== 0 ? wanted : Compression.NoCompression;
  }

  setCompression(compression: Compression): void {
    this.#responseCompression = this.#usable(compression);
  }

  /** The headers of the response: content type, CORS, `extra` (metadata, or a Trailers-Only status). */
  #headers(extra: OutgoingHttpHeaders): OutgoingHttpHeaders {
    const headers: OutgoingHttpHeaders = {
      'content-type': this.#start.responseType,
      'grpc-accept-encoding': this.#settings.compressions.acceptEncoding,
      ...extra,
    };
    const origin = this.#start.origin;
    // With or without CORS headers, the response depends on the Origin (caches must know).
    if (origin === undefined) headers.vary = 'Origin';
    else Object.assign(headers, corsResponseHeaders(this.#web, origin, Object.keys(extra)));
    return headers;
  }

  #respond(metadata: Metadata | undefined, contentLength?: number): void {
    this.#headersSent = true;
    const extra: OutgoingHttpHeaders = {};
    if (this.#responseCompression !== Compression.NoCompression) {
      extra['grpc-encoding'] = algorithmName(this.#responseCompression);
    }
    addMetadataHeaders(extra, metadata);
    const headers = this.#headers(extra);
    if (contentLength !== undefined) headers['content-length'] = String(contentLength);
    this.#exchange.respond(headers, false);
    this.#connection.keeper?.sent();
  }

  /** The bytes to send for `frames`: as they are, or base64 for grpc-web-text. */
  #body(frames: Buffer): Buffer {
    return this.#start.text ? Buffer.from(frames.toString('base64'), 'latin1') : frames;
  }

  sendMetadata(metadata: Metadata): void {
    if (this.#finished || this.#headersSent || this.#exchange.gone) return;
    this.#respond(metadata);
  }

  sendMessage(message: Buffer, callback: () => void, compressMessage: boolean): void {
    const frame = this.#frame(message, compressMessage);
    if (frame === undefined) return;
    if (!this.#headersSent) this.#respond(undefined);
    this.#exchange.write(this.#body(frame), callback);
  }

  sendFinalMessage(message: Buffer, compressMessage: boolean): void {
    this.#finalFrame = this.#frame(message, compressMessage);
  }

  #frame(message: Buffer, compressMessage: boolean): Buffer | undefined {
    if (this.#finished || this.#exchange.gone) return undefined;
    const limit = this.#settings.maxSendMessageLength;
    if (message.length > limit) {
      this.#fail(StatusCode.RESOURCE_EXHAUSTED, sentTooLarge(message.length, limit));
      return undefined;
    }
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
    this.#connection.keeper?.sent();
    return frame;
  }

  sendStatus(status: TransportStatus): void {
    if (this.#finished) return;
    this.#finish();
    this.#telemetry?.onEnd(status.code, status.details);
    this.#count(status.code === StatusCode.OK);
    if (this.#exchange.gone) return;
    const final = this.#finalFrame;
    this.#finalFrame = undefined;
    if (this.#headersSent || final !== undefined) {
      const trailers = trailerFrame(status);
      const body = this.#body(final === undefined ? trailers : Buffer.concat([final, trailers]));
      // A unary response goes with its headers, its length known.
      if (!this.#headersSent) this.#respond(undefined, body.length);
      this.#exchange.end(body);
      return;
    }
    // Trailers-Only: the status in the headers, no body.
    this.#headersSent = true;
    const extra: OutgoingHttpHeaders = { 'grpc-status': String(status.code) };
    if (status.details !== '') extra['grpc-message'] = encodeGrpcMessage(status.details);
    addMetadataHeaders(extra, status.metadata);
    this.#exchange.respond(this.#headers(extra), true);
  }

  #finish(): void {
    this.#finished = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#requests.stop();
  }

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
    serverRpcEvents.cancel(this.#rpc as ServerRpc, 'deadline');
  }

  #onClose(): void {
    this.#connection.keeper?.streamEnded(false);
    if (this.#finished) return;
    // The exchange ended before this side sent a status: the client went away (a browser's abort).
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

/** Ends a gRPC-Web request before it reached the server (a bad header): Trailers-Only with `code`. */
export function refuseWebCall(
  exchange: WebExchange,
  web: GrpcWebSettings,
  origin: string | undefined,
  responseType: string,
  code: StatusCode,
  details: string,
  extra: OutgoingHttpHeaders = {},
): void {
  const headers: OutgoingHttpHeaders = {
    'content-type': responseType,
    'grpc-status': String(code),
    'grpc-message': encodeGrpcMessage(details),
    ...extra,
  };
  if (origin === undefined) headers.vary = 'Origin';
  else Object.assign(headers, corsResponseHeaders(web, origin, Object.keys(extra)));
  exchange.respond(headers, true);
  exchange.body.resume();
}
