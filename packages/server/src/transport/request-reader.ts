import { Compression, type ServerCallTelemetry, StatusCode } from '@grpc-aio/core';
import type { ChannelzSocket } from '../channelz.js';
import { type ServerRpc, serverRpcEvents } from '../server-rpc.js';
import { algorithmName, decompress } from './compression.js';
import { type Frame, FrameDecoder } from './message-framer.js';
import {
  badFlag,
  COMPRESSED_WITHOUT_ENCODING,
  decompressFailed,
  receivedTooLarge,
  TRUNCATED_MESSAGE,
} from './messages.js';

// The request side of a call, shared by gRPC over HTTP/2 and gRPC-Web (HTTP/2 or HTTP/1.1): request
// bytes in, framed and decompressed messages out, one per read the RPC asked for, then the
// half-close; the body is paused while more than HIGH_WATER bytes of messages wait to be read.

/** Request bytes buffered before the body is paused (HTTP/2 flow control then holds the client). */
const HIGH_WATER = 64 * 1024;

/** Pauses (true) or resumes (false) the call's request body. */
export const PAUSE_REQUESTS: unique symbol = Symbol('grpc-aio.pauseRequests');
/** Ends the call for a problem in its requests (the status goes to the client, the RPC is told). */
export const FAIL_REQUESTS: unique symbol = Symbol('grpc-aio.failRequests');

/** What a {@link RequestReader} needs of its call. */
export interface ReaderCall {
  [PAUSE_REQUESTS](paused: boolean): void;
  [FAIL_REQUESTS](code: StatusCode, details: string): void;
}

/** The requests of one call. */
export class RequestReader {
  readonly #call: ReaderCall;
  readonly #decoder: FrameDecoder;
  readonly #limit: number;
  readonly #compression: Compression;
  readonly #channelz: ChannelzSocket | undefined;
  #rpc: ServerRpc | undefined;
  #telemetry: ServerCallTelemetry | undefined;
  #frames: Frame[] = [];
  #queuedBytes = 0;
  #paused = false;
  #reads = 0;
  #ended = false;
  #halfCloseDelivered = false;
  #delivering = false;
  #stopped = false;

  /**
   * @param limit the largest message accepted (compressed or not).
   * @param compression the request's `grpc-encoding` (identity: a compressed message is refused).
   */
  constructor(
    call: ReaderCall,
    limit: number,
    compression: Compression,
    channelz: ChannelzSocket | undefined,
  ) {
    this.#call = call;
    this.#decoder = new FrameDecoder(limit);
    this.#limit = limit;
    this.#compression = compression;
    this.#channelz = channelz;
  }

  /** The RPC that reads these requests, and the recorder of their sizes (none without telemetry). */
  attach(rpc: ServerRpc, telemetry: ServerCallTelemetry | undefined): void {
    this.#rpc = rpc;
    this.#telemetry = telemetry;
  }

  /** Request bytes arrived; false when they ended the call (a bad frame). */
  push(bytes: Buffer): boolean {
    if (this.#stopped) return false;
    const frames = this.#frames;
    const before = frames.length;
    const error = this.#decoder.push(bytes, frames);
    const telemetry = this.#telemetry;
    for (let index = before; index < frames.length; index++) {
      const size = (frames[index] as Frame).payload.length;
      this.#queuedBytes += size;
      // The size on the wire (compressed when the client compressed), as gRFC A66 counts it.
      if (telemetry !== undefined) telemetry.onReceived(size);
    }
    if (error !== undefined) {
      if (error.kind === 'size') {
        this.#call[FAIL_REQUESTS](StatusCode.RESOURCE_EXHAUSTED, receivedTooLarge(error.length, error.limit));
      } else {
        this.#call[FAIL_REQUESTS](StatusCode.INTERNAL, badFlag(error.flag));
      }
      return false;
    }
    this.#deliver();
    if (!this.#stopped && !this.#paused && this.#queuedBytes > HIGH_WATER) {
      this.#paused = true;
      this.#call[PAUSE_REQUESTS](true);
    }
    return !this.#stopped;
  }

  /** The client ended its requests. */
  end(): void {
    if (this.#stopped) return;
    this.#ended = true;
    this.#deliver();
  }

  /** The RPC asks for the next message (or the half-close). */
  startRead(): void {
    this.#reads++;
    this.#deliver();
  }

  /** The call is over: requests still buffered or arriving are discarded. */
  stop(): void {
    this.#stopped = true;
    if (this.#frames.length > 0) this.#frames = [];
    this.#queuedBytes = 0;
    if (this.#paused) {
      this.#paused = false;
      this.#call[PAUSE_REQUESTS](false);
    }
  }

  /** Answers pending reads with buffered messages, then the half-close. */
  #deliver(): void {
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      while (this.#reads > 0 && !this.#stopped) {
        const frame = this.#frames.shift();
        if (frame !== undefined) {
          this.#queuedBytes -= frame.payload.length;
          const message = frame.compressed ? this.#decompress(frame.payload) : frame.payload;
          if (message === undefined) return;
          this.#reads--;
          const channelz = this.#channelz;
          if (channelz !== undefined) {
            channelz.messagesReceived++;
            channelz.lastMessageReceived = Date.now();
          }
          serverRpcEvents.message(this.#rpc as ServerRpc, message);
        } else if (this.#ended && !this.#halfCloseDelivered) {
          if (this.#decoder.partial) {
            this.#call[FAIL_REQUESTS](StatusCode.INTERNAL, TRUNCATED_MESSAGE);
            return;
          }
          this.#reads--;
          this.#halfCloseDelivered = true;
          serverRpcEvents.halfClose(this.#rpc as ServerRpc);
        } else {
          break;
        }
      }
    } finally {
      this.#delivering = false;
    }
    if (this.#paused && this.#queuedBytes <= HIGH_WATER) {
      this.#paused = false;
      this.#call[PAUSE_REQUESTS](false);
    }
  }

  #decompress(payload: Buffer): Buffer | undefined {
    const algorithm = this.#compression;
    if (algorithm === Compression.NoCompression) {
      this.#call[FAIL_REQUESTS](StatusCode.INTERNAL, COMPRESSED_WITHOUT_ENCODING);
      return undefined;
    }
    const limit = this.#limit;
    const result = decompress(algorithm, payload, limit);
    if (Buffer.isBuffer(result)) return result;
    if (result.tooLarge) {
      // C-core reports the decompressed size. The decompressor stops one byte past the limit: past
      // that, the size is not known (a gzip bomb is never inflated), so the text says "more than".
      const size = result.size ?? `more than ${limit + 1}`;
      this.#call[FAIL_REQUESTS](StatusCode.RESOURCE_EXHAUSTED, receivedTooLarge(size, limit));
    } else {
      this.#call[FAIL_REQUESTS](
        StatusCode.INTERNAL,
        decompressFailed(algorithmName(algorithm), result.error),
      );
    }
    return undefined;
  }
}
