// Length-prefixed messages (doc/PROTOCOL-HTTP2.md in grpc/grpc): a 1-byte compressed flag, a 4-byte
// big-endian length, then the message. The decoder never buffers more than one message, and checks
// the declared length against the limit before buffering any of it.

/** One message as it came off the wire. */
export interface Frame {
  readonly compressed: boolean;
  readonly payload: Buffer;
}

/** A frame the decoder refused: its flag is neither 0 nor 1, or its declared length is over the limit. */
export type FrameError =
  | { readonly kind: 'flag'; readonly flag: number }
  | { readonly kind: 'size'; readonly length: number; readonly limit: number };

const HEADER = 5;
const EMPTY = Buffer.alloc(0);

/** Splits a stream of DATA bytes into messages. */
export class FrameDecoder {
  readonly #limit: number;
  // The header of the message being read (5 bytes; made when a header is split across chunks), then
  // its payload.
  #header: Buffer | undefined;
  #headerBytes = 0;
  #payload: Buffer = EMPTY;
  #payloadBytes = 0;
  #compressed = false;
  #readingPayload = false;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** True when some bytes of an incomplete message are buffered (the stream ended mid-message). */
  get partial(): boolean {
    return this.#headerBytes > 0 || this.#readingPayload;
  }

  /**
   * Feeds `chunk`; each complete message is appended to `frames`, in order. Returns a FrameError at
   * the first bad header (the rest of the chunk is not read), else undefined.
   */
  push(chunk: Buffer, frames: Frame[]): FrameError | undefined {
    let offset = 0;
    const length = chunk.length;
    while (offset < length) {
      if (!this.#readingPayload) {
        // Fast path: a whole message inside this chunk, with nothing buffered before it.
        if (this.#headerBytes === 0 && length - offset >= HEADER) {
          const flag = chunk[offset] as number;
          const size = chunk.readUInt32BE(offset + 1);
          const error = this.#check(flag, size);
          if (error !== undefined) return error;
          if (length - offset - HEADER >= size) {
            const start = offset + HEADER;
            frames.push({ compressed: flag === 1, payload: chunk.subarray(start, start + size) });
            offset = start + size;
            continue;
          }
          this.#header = chunk.subarray(offset, offset + HEADER);
          this.#headerBytes = HEADER;
          offset += HEADER;
        } else {
          // A header split across chunks: gathered in a buffer of its own.
          if (this.#headerBytes === 0) this.#header = Buffer.alloc(HEADER);
          const take = Math.min(HEADER - this.#headerBytes, length - offset);
          chunk.copy(this.#header as Buffer, this.#headerBytes, offset, offset + take);
          this.#headerBytes += take;
          offset += take;
          if (this.#headerBytes < HEADER) break;
        }
        const header = this.#header as Buffer;
        const flag = header[0] as number;
        const size = header.readUInt32BE(1);
        const error = this.#check(flag, size);
        if (error !== undefined) return error;
        this.#compressed = flag === 1;
        this.#readingPayload = true;
        this.#payload = size === 0 ? EMPTY : Buffer.allocUnsafe(size);
        this.#payloadBytes = 0;
      }
      const take = Math.min(this.#payload.length - this.#payloadBytes, length - offset);
      chunk.copy(this.#payload, this.#payloadBytes, offset, offset + take);
      this.#payloadBytes += take;
      offset += take;
      if (this.#payloadBytes === this.#payload.length) {
        const payload = this.#payload;
        this.#payload = EMPTY;
        this.#readingPayload = false;
        this.#headerBytes = 0;
        frames.push({ compressed: this.#compressed, payload });
      }
    }
    return undefined;
  }

  #check(flag: number, size: number): FrameError | undefined {
    if (flag > 1) return { kind: 'flag', flag };
    if (size > this.#limit) return { kind: 'size', length: size, limit: this.#limit };
    return undefined;
  }
}

/** The wire form of one message: its 5-byte prefix and the message, in one buffer. */
export function encodeFrame(message: Buffer, compressed: boolean): Buffer {
  const frame = Buffer.allocUnsafe(HEADER + message.length);
  frame[0] = compressed ? 1 : 0;
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, HEADER);
  return frame;
}
