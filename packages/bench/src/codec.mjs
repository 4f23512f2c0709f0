// The benchmark message, `message Payload { bytes payload = 1; }`, encoded by hand so that every
// implementation pays exactly the same (negligible) codec cost and the comparison is about the
// RPC stacks only.

/** @param {{payload: Uint8Array}} message */
export function encode(message) {
  const payload = message.payload;
  const length = payload.length;
  if (length < 128) {
    const out = Buffer.allocUnsafe(2 + length);
    out[0] = 0x0a;
    out[1] = length;
    out.set(payload, 2);
    return out;
  }
  const header = [0x0a];
  let rest = length;
  while (rest >= 128) {
    header.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  header.push(rest);
  const out = Buffer.allocUnsafe(header.length + length);
  out.set(header, 0);
  out.set(payload, header.length);
  return out;
}

/** @param {Uint8Array} bytes */
export function decode(bytes) {
  if (bytes.length === 0) return { payload: Buffer.alloc(0) };
  let offset = 1;
  let length = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[offset++];
    length |= (byte & 0x7f) << shift;
    if (byte < 128) break;
    shift += 7;
  }
  return { payload: Buffer.from(bytes.buffer, bytes.byteOffset + offset, length) };
}

export const PAYLOAD = Buffer.alloc(100, 7);
export const MESSAGE = { payload: PAYLOAD };

/** A request asking for `count` messages (server stream) carries the count in its payload. */
export function countRequest(count) {
  const payload = Buffer.alloc(100);
  payload.writeUInt32BE(count, 0);
  return { payload };
}

export function countOf(message) {
  return message.payload.readUInt32BE(0);
}

export const METHODS = {
  unary: '/bench.Bench/Unary',
  serverStream: '/bench.Bench/ServerStream',
  clientStream: '/bench.Bench/ClientStream',
  pingPong: '/bench.Bench/PingPong',
  idleStream: '/bench.Bench/IdleStream',
};
