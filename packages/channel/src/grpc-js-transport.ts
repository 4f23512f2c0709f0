import {
  type CallCredentials as GrpcJsCallCredentials,
  Channel as GrpcJsChannel,
  type ChannelCredentials as GrpcJsChannelCredentials,
  type ChannelOptions as GrpcJsChannelOptions,
  type Metadata as GrpcJsMetadata,
  Metadata as GrpcJsMetadataClass,
  type InterceptingListener,
  type StatusObject,
} from '@grpc/grpc-js';
import {
  type CallOptions,
  type ChannelConnectivity,
  Compression,
  compressionAlgorithm,
  StatusCode,
  statusCodeName,
} from '@grpc-aio/core';
import { setLongTimeout } from '@grpc-aio/core/internal';
import { DEADLINE_EXCEEDED } from '@grpc-aio/errors';
import { Metadata as GrpcAioMetadata, type Metadata } from '@grpc-aio/metadata';
import { fromGrpcJsMetadata, toGrpcJsMetadata } from '@grpc-aio/metadata/grpc-js';
import { grpcJsCallCredentials } from './credentials.js';
import type { CallTransport, ChannelTransport, TransportListener } from './transport.js';

type GrpcJsCall = ReturnType<GrpcJsChannel['createCall']>;

/**
 * The start of the details of a call ended with INTERNAL because handling what the server sent
 * threw (a defect, or a response no layer could represent); followed by the error.
 */
export const RESPONSE_HANDLING_FAILED = 'Failed to handle the response';

/** The details (INTERNAL) of a call whose server sent a message the client cannot decompress. */
export const UNDECOMPRESSIBLE_MESSAGE =
  'Received a message the client cannot decompress: its compressed flag is set without a grpc-encoding, or with an encoding the client does not accept';

/** The longest timeout grpc-js times itself (its deadline.ts MAX_TIMEOUT_TIME); later deadlines are not timed there. */
const GRPC_JS_MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The details of a call that reached its deadline (grpc-js and C-core both say so). */

/** grpc-js's details for calls on a connection the server closed with an error GOAWAY. */
const SESSION_CLOSED_BY_PEER =
  /^Received RST_STREAM with code \d+ triggered by internal client error: Session closed with error code \d+$/;

/** grpc-js's connectivity states READY and SHUTDOWN. */
const READY = 2;
const SHUTDOWN = 4;

/** grpc-js's `WriteFlags.NoCompress`: send this message uncompressed. */
const NO_COMPRESS = 2;

/**
 * HTTP headers grpc-js passes along with the metadata, which gRPC Python never shows: the
 * content-type of every response, and the `date` header Node's HTTP/2 server adds.
 */
function fromWire(metadata: GrpcJsMetadata): Metadata {
  metadata.remove('content-type');
  metadata.remove('date');
  return fromGrpcJsMetadata(metadata);
}

/** One RPC on a grpc-js channel, driven through grpc-js's low-level call API. */
class GrpcJsCallTransport implements CallTransport, InterceptingListener {
  readonly #call: GrpcJsCall;
  readonly #flags: number;
  readonly #waitForReady: boolean;
  readonly #channel: GrpcJsChannel;
  #listener: TransportListener | undefined;
  #failed = false;
  #ended = false;
  #cancelDeadline: (() => void) | undefined;

  constructor(call: GrpcJsCall, flags: number, waitForReady: boolean, channel: GrpcJsChannel) {
    this.#channel = channel;
    this.#call = call;
    this.#flags = flags;
    this.#waitForReady = waitForReady;
  }

  /** Ends the call with DEADLINE_EXCEEDED `ms` from now (for deadlines grpc-js does not time). */
  timeDeadline(ms: number): void {
    this.#cancelDeadline = setLongTimeout(
      () => this.#call.cancelWithStatus(StatusCode.DEADLINE_EXCEEDED, DEADLINE_EXCEEDED),
      ms,
      false,
    );
  }

  start(metadata: Metadata, listener: TransportListener): void {
    this.#listener = listener;
    const grpcMetadata = metadata.size === 0 ? new GrpcJsMetadataClass() : toGrpcJsMetadata(metadata);
    if (this.#waitForReady) grpcMetadata.setOptions({ waitForReady: true });
    this.#call.start(grpcMetadata, this);
  }

  sendMessage(message: Uint8Array, callback: (error?: Error | null) => void): void {
    const buffer = Buffer.isBuffer(message)
      ? message
      : Buffer.from(message.buffer, message.byteOffset, message.byteLength);
    this.#call.sendMessageWithContext({ callback, flags: this.#flags }, buffer);
  }

  startRead(): void {
    this.#call.startRead();
  }

  halfClose(): void {
    this.#call.halfClose();
  }

  cancel(code: StatusCode, details: string): void {
    this.#call.cancelWithStatus(code, details);
  }

  getPeer(): string {
    return this.#call.getPeer();
  }

  /** grpc-js starts a call's stream as soon as its channel is READY: runs `callback` then. */
  whenStarted(callback: () => void): void {
    const channel = this.#channel;
    const check = (): void => {
      // A call that ended (it failed before the channel was READY) stops watching at the next change.
      if (this.#ended) return;
      const state = channel.getConnectivityState(false);
      if (state === READY) callback();
      else if (state !== SHUTDOWN) channel.watchConnectivityState(state, Number.POSITIVE_INFINITY, check);
    };
    check();
  }

  // grpc-js calls these from its stream and timer callbacks: an error thrown here would be an
  // uncaught exception (and the call would never settle). Each is guarded: what throws ends the call
  // with INTERNAL naming the error.

  onReceiveMetadata(metadata: GrpcJsMetadata): void {
    if (this.#failed) return;
    try {
      this.#listener!.onTransportMetadata(fromWire(metadata));
    } catch (error) {
      this.#fail(error);
    }
  }

  onReceiveMessage(message: Buffer): void {
    if (this.#failed) return;
    try {
      this.#listener!.onTransportMessage(message);
    } catch (error) {
      this.#fail(error);
    }
  }

  onReceiveStatus(status: StatusObject): void {
    this.#ended = true;
    this.#cancelDeadline?.();
    if (this.#failed) return;
    try {
      if (typeof status.code !== 'number') {
        // grpc-js's receive filters reject a message they cannot decompress with an Error where a
        // status belongs, and then end the call with an undefined code and details.
        this.#fail(new Error(UNDECOMPRESSIBLE_MESSAGE), UNDECOMPRESSIBLE_MESSAGE);
        return;
      }
      let code = status.code as number as StatusCode;
      // The server closed the connection with an error GOAWAY (e.g. Node's HTTP/2 server after a
      // burst of cancellations on one connection, its rapid-reset limit): grpc-js reports the calls
      // still in flight as INTERNAL; like C-core (and like grpc-js for a reset connection), they
      // are UNAVAILABLE, which retry policies and wait-for-ready treat as transient.
      if (code === StatusCode.INTERNAL && SESSION_CLOSED_BY_PEER.test(status.details))
        code = StatusCode.UNAVAILABLE;
      this.#listener!.onTransportStatus({
        code,
        details: status.details,
        metadata: fromWire(status.metadata),
        debugErrorString: code === 0 ? '' : `${code} ${statusCodeName(code) ?? 'UNKNOWN'}: ${status.details}`,
      });
    } catch (error) {
      this.#fail(error);
    }
  }

  #fail(error: unknown, text?: string): void {
    this.#failed = true;
    this.#ended = true;
    const details =
      text ??
      `${RESPONSE_HANDLING_FAILED}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
    try {
      this.#listener!.onTransportStatus({
        code: StatusCode.INTERNAL,
        details,
        metadata: new GrpcAioMetadata(),
        debugErrorString: details,
        cause: error,
      });
    } catch (again) {
      console.error('grpc-aio: a call could not be ended after an internal error', again);
    }
    try {
      this.#call.cancelWithStatus(StatusCode.INTERNAL, details);
    } catch {
      // The call may be over already; nothing more to stop.
    }
  }
}

/**
 * A channel transport over `new grpc.Channel(...)`. Per-call compression other than the channel's
 * default and other than "none" runs on a sibling grpc-js channel (grpc-js only compresses with the
 * channel-level `grpc.default_compression_algorithm`); "none" on a compressing channel sends the
 * messages uncompressed (grpc-js's NoCompress write flag).
 */
export class GrpcJsChannelTransport implements ChannelTransport {
  readonly secure: boolean;
  readonly #target: string;
  readonly #credentials: GrpcJsChannelCredentials;
  readonly #options: GrpcJsChannelOptions;
  readonly #compression: Compression;
  readonly #channel: GrpcJsChannel;
  #siblings: Map<Compression, GrpcJsChannel> | undefined;

  constructor(
    target: string,
    credentials: GrpcJsChannelCredentials,
    secure: boolean,
    options: GrpcJsChannelOptions,
    compression: Compression | undefined,
  ) {
    this.secure = secure;
    this.#target = target;
    this.#credentials = credentials;
    this.#options = options;
    this.#compression = compression ?? Compression.NoCompression;
    if (compression !== undefined && compression !== Compression.NoCompression) {
      options['grpc.default_compression_algorithm'] = compression;
    }
    this.#channel = new GrpcJsChannel(target, credentials, options);
  }

  /** The target as the application gave it. */
  get target(): string {
    return this.#target;
  }

  /** The underlying grpc-js channel. */
  get grpcJsChannel(): GrpcJsChannel {
    return this.#channel;
  }

  createCall(method: string, deadline: number, options: CallOptions | undefined): CallTransport {
    let channel = this.#channel;
    let flags = 0;
    let waitForReady = false;
    let credentials: GrpcJsCallCredentials | undefined;
    if (options !== undefined) {
      const compression = options.compression;
      if (compression !== undefined && compression !== this.#compression) {
        if (compression === Compression.NoCompression) flags = NO_COMPRESS;
        else channel = this.#sibling(compression);
      }
      waitForReady = options.waitForReady === true;
      if (options.credentials != null) credentials = grpcJsCallCredentials(options.credentials);
    }
    const call = channel.createCall(method, deadline, null, null, null);
    if (credentials !== undefined) call.setCredentials(credentials);
    const transport = new GrpcJsCallTransport(call, flags, waitForReady, channel);
    // grpc-js sends the grpc-timeout of any deadline but times only those setTimeout can hold
    // (2^31 - 1 ms, about 24.8 days); a later one is timed here.
    const left = deadline - Date.now();
    if (left > GRPC_JS_MAX_TIMEOUT_MS && Number.isFinite(left)) transport.timeDeadline(left);
    return transport;
  }

  #sibling(compression: Compression): GrpcJsChannel {
    this.#siblings ??= new Map();
    let sibling = this.#siblings.get(compression);
    if (sibling === undefined) {
      compressionAlgorithm(compression);
      sibling = new GrpcJsChannel(this.#target, this.#credentials, {
        ...this.#options,
        'grpc.default_compression_algorithm': compression,
      });
      this.#siblings.set(compression, sibling);
    }
    return sibling;
  }

  getState(tryToConnect: boolean): ChannelConnectivity {
    return this.#channel.getConnectivityState(tryToConnect) as number as ChannelConnectivity;
  }

  watchState(currentState: ChannelConnectivity, callback: () => void): void {
    this.#channel.watchConnectivityState(currentState as number, Number.POSITIVE_INFINITY, () => callback());
  }

  close(): void {
    this.#channel.close();
    if (this.#siblings !== undefined) for (const sibling of this.#siblings.values()) sibling.close();
  }
}
