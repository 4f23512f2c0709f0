// Bytes and text for tests that send strings as messages.

/** UTF-8 bytes of `text`. */
export function bytes(text: string): Buffer {
  return Buffer.from(text);
}

/** `value` decoded as UTF-8 (a symbol such as `EOF` as its description, so assertions can show it). */
export function text(value: Uint8Array | symbol): string {
  if (typeof value === 'symbol') return String(value);
  return Buffer.from(value).toString();
}

/** A @grpc/grpc-js serializer and deserializer that passes bytes through. */
export const identity = (value: Buffer): Buffer => value;
