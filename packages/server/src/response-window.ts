import type { ServerCallTransport } from './server-call-transport.js';

// Responses on their way to the transport. Up to WRITE_WINDOW of them may be handed over before a
// write() waits for one to be flushed (the object-mode high-water mark of a Node Writable); each
// flushed response frees one place, and the oldest waiting writer takes it.

const WRITE_WINDOW = 16;
const WRITTEN: Promise<void> = Promise.resolve();

interface Writer {
  resolve(): void;
  reject(error: unknown): void;
}

/** The responses of one RPC. */
export class ResponseWindow {
  readonly #call: ServerCallTransport;
  #writers: Writer[] = [];
  #inFlight = 0;
  #compressNext = true;
  // The transport's write callback, made once per RPC (at its first streamed response) rather than
  // once per message.
  #onWritten: (() => void) | undefined;

  constructor(call: ServerCallTransport) {
    this.#call = call;
  }

  /** `disableNextMessageCompression()`: holds for the next message only. */
  disableNextCompression(): void {
    this.#compressNext = false;
  }

  #takeCompressNext(): boolean {
    const compress = this.#compressNext;
    this.#compressNext = true;
    return compress;
  }

  /** Sends one streamed response; resolves once there is room in the window. */
  send(message: Buffer): Promise<void> {
    this.#inFlight++;
    this.#onWritten ??= () => {
      this.#inFlight--;
      this.#writers.shift()?.resolve();
    };
    this.#call.sendMessage(message, this.#onWritten, this.#takeCompressNext());
    if (this.#inFlight <= WRITE_WINDOW) return WRITTEN;
    return new Promise((resolve, reject) => {
      this.#writers.push({ resolve, reject });
    });
  }

  /**
   * Sends the one response of a unary-response RPC. The status may follow at once: a transport sends
   * what it is given in order.
   */
  sendLast(message: Buffer): void {
    this.#call.sendFinalMessage(message, this.#takeCompressNext());
  }

  /** The RPC ended: writers waiting for room reject with `reason`. */
  fail(reason: Error): void {
    const writers = this.#writers;
    this.#writers = [];
    for (const writer of writers) writer.reject(reason);
  }
}
