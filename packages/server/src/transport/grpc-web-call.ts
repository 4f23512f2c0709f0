import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  constants,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
  type ServerStreamResponseOptions,
} from 'node:http2';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { StatusCode } from '@grpc-aio/core';
import type { Metadata } from '@grpc-aio/metadata';
import type { RpcHost } from '../rpc-host.js';
import type { TransportStatus } from '../server-call-transport.js';
import { BaseServerCall, type CallConnection, type CallSettings, type CallStart } from './base-call.js';
import { Base64Decoder, corsResponseHeaders, type GrpcWebSettings } from './grpc-web.js';
import { encodeGrpcMessage, statusHeaders } from './wire-metadata.js';

// One gRPC-Web call (doc/PROTOCOL-WEB.md in grpc/grpc), on an HTTP/2 stream or an HTTP/1.1
// request: the same ServerCallTransport as a gRPC call, with the status sent as a last
// length-prefixed frame (flag 0x80) of HTTP/1-style header lines instead of HTTP trailers, and the
// whole body base64 in the text variant.

/** The details of a gRPC-Web call to a client-streaming or bidi-streaming method. */
export const streamingOverGrpcWeb = (method: string): string =>
  `Method ${method} streams requests, which gRPC-Web cannot carry (only unary and server-streaming methods can be called over gRPC-Web)`;
/** The details of a grpc-web-text request whose body is not base64. */
export const BAD_BASE64 = 'Received a grpc-web-text request body that is not valid base64';

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
  let block = '';
  for (const [key, value] of Object.entries(statusHeaders(status))) {
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
export class GrpcWebCall extends BaseServerCall<WebCallStart> {
  readonly #exchange: WebExchange;
  readonly #web: GrpcWebSettings;
  readonly #base64: Base64Decoder | undefined;

  constructor(
    exchange: WebExchange,
    rawHeaders: readonly string[],
    settings: CallSettings,
    web: GrpcWebSettings,
    connection: CallConnection,
    start: WebCallStart,
  ) {
    super(exchange.body, rawHeaders, settings, connection, start);
    this.#exchange = exchange;
    this.#web = web;
    this.#base64 = start.text ? new Base64Decoder() : undefined;
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

  protected override listen(): void {
    const body = this.#exchange.body;
    body.on('data', (chunk: Buffer) => this.#onData(chunk));
    body.on('end', () => this.#onEnd());
    body.on('error', () => {});
    this.#exchange.onClose(() => {
      this.connection.keeper?.streamEnded(false);
      // Before a status: the client went away (a browser's abort).
      this.closed();
    });
  }

  // ---- requests ----------------------------------------------------------------------------------

  #onData(chunk: Buffer): void {
    if (this.finished) return;
    let bytes: Buffer | undefined = chunk;
    if (this.#base64 !== undefined) {
      bytes = this.#base64.push(chunk);
      if (bytes === undefined) {
        this.fail(StatusCode.INTERNAL, BAD_BASE64);
        return;
      }
    }
    this.requests.push(bytes);
  }

  #onEnd(): void {
    if (this.finished) return;
    if (this.#base64 !== undefined) {
      const rest = this.#base64.end();
      if (rest === undefined) {
        this.fail(StatusCode.INTERNAL, BAD_BASE64);
        return;
      }
      // False when the bytes ended the call.
      if (rest.length > 0 && !this.requests.push(rest)) return;
    }
    this.requests.end();
  }

  // ---- responses ---------------------------------------------------------------------------------

  protected override gone(): boolean {
    return this.#exchange.gone;
  }

  /** The headers of the response: content type, CORS, `extra` (metadata, or a Trailers-Only status). */
  #headers(extra: OutgoingHttpHeaders): OutgoingHttpHeaders {
    const headers: OutgoingHttpHeaders = {
      'content-type': this.callStart.responseType,
      'grpc-accept-encoding': this.settings.compressions.acceptEncoding,
      ...extra,
    };
    const origin = this.callStart.origin;
    // With or without CORS headers, the response depends on the Origin (caches must know).
    if (origin === undefined) headers.vary = 'Origin';
    else Object.assign(headers, corsResponseHeaders(this.#web, origin, Object.keys(extra)));
    return headers;
  }

  protected override respond(metadata: Metadata | undefined, contentLength?: number): void {
    this.headersSent = true;
    const extra: OutgoingHttpHeaders = {};
    this.addResponseHeaders(extra, metadata);
    const headers = this.#headers(extra);
    if (contentLength !== undefined) headers['content-length'] = String(contentLength);
    this.#exchange.respond(headers, false);
    this.connection.keeper?.sent();
  }

  /** The bytes to send for `frames`: as they are, or base64 for grpc-web-text. */
  #body(frames: Buffer): Buffer {
    return this.callStart.text ? Buffer.from(frames.toString('base64'), 'latin1') : frames;
  }

  protected override write(frame: Buffer, callback: () => void): void {
    this.#exchange.write(this.#body(frame), callback);
  }

  protected override endWithStatus(status: TransportStatus, final: Buffer | undefined): void {
    const trailers = trailerFrame(status);
    const body = this.#body(final === undefined ? trailers : Buffer.concat([final, trailers]));
    // A unary response goes with its headers, its length known.
    if (!this.headersSent) this.respond(undefined, body.length);
    this.#exchange.end(body);
  }

  protected override endTrailersOnly(status: TransportStatus): void {
    // The status in the headers, no body.
    this.#exchange.respond(this.#headers(statusHeaders(status)), true);
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
