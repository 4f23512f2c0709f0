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
  // The transport's write callback, made once per RPC (at its first streamed response) rather than
  // once per message.
  #onWritten: (() => void) | undefined;

  constructor(call: ServerCallTransport) {
    this.#call = call;
  }

  /** Sends one streamed response (compressed unless `compress` is false); resolves once there is room in the window. */
  send(message: Buffer, compress: boolean): Promise<void> {
    this.#inFlight++;
    this.#onWritten ??= () => {
      this.#inFlight--;
      this.#writers.shift()?.resolve();
    };
    this.#call.sendMessage(message, this.#onWritten, compress);
    if (this.#inFlight <= WRITE_WINDOW) return WRITTEN;
    return new Promise((resolve, reject) => {
      this.#writers.push({ resolve, reject });
    });
  }

  /** The RPC ended: writers waiting for room reject with `reason`. */
  fail(reason: Error): void {
    const writers = this.#writers;
    this.#writers = [];
    for (const writer of writers) writer.reject(reason);
  }
}
