import { describe, expect, it } from 'vitest';
import { encodeFrame, type Frame, FrameDecoder } from './message-framer.js';

function decodeAll(chunks: Buffer[], limit = 1 << 20): { frames: Frame[]; partial: boolean } {
  const decoder = new FrameDecoder(limit);
  const frames: Frame[] = [];
  for (const chunk of chunks) {
    const error = decoder.push(chunk, frames);
    if (error !== undefined) throw new Error(JSON.stringify(error));
  }
  return { frames, partial: decoder.partial };
}

describe('FrameDecoder', () => {
  const messages = [Buffer.alloc(0), Buffer.from('a'), Buffer.from('hello world'), Buffer.alloc(70_000, 7)];
  const wire = Buffer.concat(messages.map((message, index) => encodeFrame(message, index % 2 === 1)));

  it('decodes messages however the bytes are split (every split point, 1-byte chunks, one chunk)', () => {
    const expected = messages.map((payload, index) => ({ compressed: index % 2 === 1, payload }));
    expect(decodeAll([wire]).frames).toEqual(expected);
    expect(decodeAll([...wire].map((byte) => Buffer.from([byte]))).frames).toEqual(expected);
    for (let split = 1; split < 40; split++) {
      expect(decodeAll([wire.subarray(0, split), wire.subarray(split)]).frames).toEqual(expected);
    }
    for (const size of [3, 5, 7, 4096]) {
      const chunks: Buffer[] = [];
      for (let offset = 0; offset < wire.length; offset += size)
        chunks.push(wire.subarray(offset, offset + size));
      expect(decodeAll(chunks)).toEqual({ frames: expected, partial: false });
    }
  });

  it('reports a stream that ends inside a header or a payload', () => {
    expect(decodeAll([wire.subarray(0, 3)]).partial).toBe(true);
    expect(decodeAll([encodeFrame(Buffer.from('abc'), false).subarray(0, 6)]).partial).toBe(true);
    expect(decodeAll([encodeFrame(Buffer.from('abc'), false)]).partial).toBe(false);
  });

  it('refuses a bad flag and a declared length over the limit, before reading the payload', () => {
    const decoder = new FrameDecoder(10);
    expect(decoder.push(Buffer.from([2, 0, 0, 0, 1, 0]), [])).toEqual({ kind: 'flag', flag: 2 });
    expect(new FrameDecoder(10).push(Buffer.from([0, 0, 0, 0, 11]), [])).toEqual({
      kind: 'size',
      length: 11,
      limit: 10,
    });
    const split = new FrameDecoder(10);
    expect(split.push(Buffer.from([0, 0, 0]), [])).toBeUndefined();
    expect(split.push(Buffer.from([0, 11]), [])).toEqual({ kind: 'size', length: 11, limit: 10 });
  });
});
