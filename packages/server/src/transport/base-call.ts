import type { OutgoingHttpHeaders } from 'node:http2';
import type { Readable } from 'node:stream';
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
import { addMetadataHeaders, requestMetadata } from './wire-metadata.js';

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

/** What the calls of one connection share (an HTTP/2 session's, or an HTTP/1.1 socket's for gRPC-Web). */
export interface CallConnection {
  /** The peer in C-core's form. */
  readonly peer: string;
  /** The connection's security, computed once. */
  peerAuth(): PeerAuth;
  /** Keepalive, ping enforcement, idleness and reset bursts of an HTTP/2 connection; none over HTTP/1.1. */
  readonly keeper?: ConnectionKeeper | undefined;
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

/**
 * What a gRPC call and a gRPC-Web call share as the {@link ServerCallTransport} of one request:
 * the request reader, the deadline, compression, the framing and size limit of responses, the
 * status bookkeeping (telemetry, channelz) and the ways a call ends. A subclass says how headers,
 * messages and the status go out on its wire.
 */
export abstract class BaseServerCall<TStart extends CallStart = CallStart>
  implements ServerCallTransport, ReaderCall
{
  protected readonly settings: CallSettings;
  protected readonly connection: CallConnection;
  protected readonly callStart: TStart;
  protected readonly requests: RequestReader;
  readonly #body: Readable;
  readonly #rawHeaders: readonly string[];
  #rpc: ServerRpc | undefined;
  #telemetry: ServerCallTelemetry | undefined;
  #timer: LongTimer | undefined;
  #responseCompression: Compression;

  // Responses.
  /** True once response headers went out (or were handed to the wire). */
  protected headersSent = false;
  /** True once this side is done: a status was sent, or the call ended otherwise. */
  protected finished = false;
  #finalFrame: Buffer | undefined;

  constructor(
    body: Readable,
    rawHeaders: readonly string[],
    settings: CallSettings,
    connection: CallConnection,
    start: TStart,
  ) {
    this.#body = body;
    this.#rawHeaders = rawHeaders;
    this.settings = settings;
    this.connection = connection;
    this.callStart = start;
    this.requests = new RequestReader(
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
    this.requests.attach(rpc, telemetry);
    this.listen();
    this.connection.keeper?.streamStarted();
    if (Number.isFinite(this.callStart.deadline)) {
      this.#timer = new LongTimer(this.callStart.deadline, () => this.#expire());
    }
    const { channelzServer, channelzSocket } = this.connection;
    if (channelzServer === undefined && channelzSocket === undefined) return;
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

  /** Starts listening to the request's events (its bytes, its end, the exchange's close). */
  protected abstract listen(): void;

  /** Counts the end of the call in channelz. */
  #count(ok: boolean): void {
    const { channelzServer, channelzSocket } = this.connection;
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

  startRead(): void {
    this.requests.startRead();
  }

  [PAUSE_REQUESTS](paused: boolean): void {
    if (paused) this.#body.pause();
    else this.#body.resume();
  }

  [FAIL_REQUESTS](code: StatusCode, details: string): void {
    this.fail(code, details);
  }

  // ---- responses ---------------------------------------------------------------------------------

  /** True once nothing more can be sent (the stream was destroyed, the client went away). */
  protected abstract gone(): boolean;

  /** Sends the response headers with `metadata` (sets {@link headersSent}). */
  protected abstract respond(metadata: Metadata | undefined): void;

  /** Writes one framed response; `callback` runs once the wire took it. */
  protected abstract write(frame: Buffer, callback: () => void): void;

  /** Ends the response with `status` after the headers (sent now when they were not) and `final`. */
  protected abstract endWithStatus(status: TransportStatus, final: Buffer | undefined): void;

  /** Ends the response with `status` alone: a Trailers-Only response. */
  protected abstract endTrailersOnly(status: TransportStatus): void;

  /** The compression to use for `wanted`: identity unless enabled here and accepted by the client. */
  #usable(wanted: Compression): Compression {
    if (wanted === Compression.NoCompression) return wanted;
    if (!this.settings.compressions.has(wanted)) return Compression.NoCompression;
    return (this.callStart.acceptedByClient & (1 << wanted)) !== 0 ? wanted : Compression.NoCompression;
  }

  setCompression(compression: Compression): void {
    this.#responseCompression = this.#usable(compression);
  }

  /** Adds the response's `grpc-encoding` (when it compresses) and `metadata` to `headers`. */
  protected addResponseHeaders(headers: OutgoingHttpHeaders, metadata: Metadata | undefined): void {
    if (this.#responseCompression !== Compression.NoCompression) {
      headers['grpc-encoding'] = algorithmName(this.#responseCompression);
    }
    addMetadataHeaders(headers, metadata);
  }

  sendMetadata(metadata: Metadata): void {
    if (this.finished || this.headersSent || this.gone()) return;
    this.respond(metadata);
  }

  sendMessage(message: Buffer, callback: () => void, compressMessage: boolean): void {
    const frame = this.#frame(message, compressMessage);
    if (frame === undefined) return;
    if (!this.headersSent) this.respond(undefined);
    this.write(frame, callback);
  }

  sendFinalMessage(message: Buffer, compressMessage: boolean): void {
    // Held for the status that follows: the two go out together (one write where the wire allows).
    this.#finalFrame = this.#frame(message, compressMessage);
  }

  /** The wire form of one response, or undefined when it cannot be sent. */
  #frame(message: Buffer, compressMessage: boolean): Buffer | undefined {
    if (this.finished || this.gone()) return undefined;
    const limit = this.settings.maxSendMessageLength;
    if (message.length > limit) {
      this.fail(StatusCode.RESOURCE_EXHAUSTED, sentTooLarge(message.length, limit));
      return undefined;
    }
    const compression = this.#responseCompression;
    const frame =
      compressMessage && compression !== Compression.NoCompression
        ? encodeFrame(compress(compression, message), true)
        : encodeFrame(message, false);
    this.#telemetry?.onSent(frame.length - 5);
    const channelz = this.connection.channelzSocket;
    if (channelz !== undefined) {
      channelz.messagesSent++;
      channelz.lastMessageSent = Date.now();
    }
    this.connection.keeper?.sent();
    return frame;
  }

  sendStatus(status: TransportStatus): void {
    if (this.finished) return;
    this.#finish();
    this.#telemetry?.onEnd(status.code, status.details);
    this.#count(status.code === StatusCode.OK);
    if (this.gone()) return;
    const final = this.#finalFrame;
    this.#finalFrame = undefined;
    if (this.headersSent || final !== undefined) {
      this.endWithStatus(status, final);
      return;
    }
    this.headersSent = true;
    this.endTrailersOnly(status);
  }

  /** This side is done: no more requests are read (those still arriving are discarded). */
  #finish(): void {
    this.finished = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.requests.stop();
  }

  /** Ends the call for a problem the transport found, and tells the RPC. */
  protected fail(code: StatusCode, details: string): void {
    if (this.finished) return;
    this.sendStatus({ code, details, metadata: null });
    serverRpcEvents.cancel(this.#rpc as ServerRpc, 'runtime');
  }

  #expire(): void {
    this.#timer = undefined;
    if (this.finished) return;
    this.sendStatus({
      code: StatusCode.DEADLINE_EXCEEDED,
      details: DEADLINE_EXCEEDED_DETAILS,
      metadata: null,
    });
    // The client may still be sending: it learns from the status; the request is not reset.
    serverRpcEvents.cancel(this.#rpc as ServerRpc, 'deadline');
  }

  /**
   * The exchange is over. Before this side sent a status, that means the client went away (it
   * reset the stream, a browser aborted, or the connection went).
   */
  protected closed(): void {
    if (this.finished) return;
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
    return this.connection.peer;
  }

  getDeadline(): number {
    return this.callStart.deadline;
  }

  getPeerAuth(): PeerAuth {
    return this.connection.peerAuth();
  }
}
