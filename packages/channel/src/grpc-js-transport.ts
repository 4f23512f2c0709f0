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
  type StatusCode,
  statusCodeName,
} from '@grpc-aio/core';
import type { Metadata } from '@grpc-aio/metadata';
import { fromGrpcJsMetadata, toGrpcJsMetadata } from '@grpc-aio/metadata/grpc-js';
import { grpcJsCallCredentials } from './credentials.js';
import type { CallTransport, ChannelTransport, TransportListener } from './transport.js';

type GrpcJsCall = ReturnType<GrpcJsChannel['createCall']>;

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
  #listener: TransportListener | undefined;

  constructor(call: GrpcJsCall, flags: number, waitForReady: boolean) {
    this.#call = call;
    this.#flags = flags;
    this.#waitForReady = waitForReady;
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

  onReceiveMetadata(metadata: GrpcJsMetadata): void {
    this.#listener!.onTransportMetadata(fromWire(metadata));
  }

  onReceiveMessage(message: Buffer): void {
    this.#listener!.onTransportMessage(message);
  }

  onReceiveStatus(status: StatusObject): void {
    const code = status.code as number as StatusCode;
    this.#listener!.onTransportStatus({
      code,
      details: status.details,
      metadata: fromWire(status.metadata),
      debugErrorString: code === 0 ? '' : `${code} ${statusCodeName(code) ?? 'UNKNOWN'}: ${status.details}`,
    });
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
    return new GrpcJsCallTransport(call, flags, waitForReady);
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
