import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { EOF, isEOF } from './index.js';

describe('EOF', () => {
  it('A4 is one global sentinel, shared by every copy of the package', () => {
    expect(EOF).toBe(Symbol.for('grpc.aio.EOF'));
    expect(typeof EOF).toBe('symbol');
    expect(String(EOF)).toBe('Symbol(grpc.aio.EOF)');
    expect(EOF.description).toBe('grpc.aio.EOF');
    expect(isEOF(EOF)).toBe(true);
    expect(isEOF(undefined)).toBe(false);
    expect(isEOF(Symbol('grpc.aio.EOF'))).toBe(false);
  });

  it('A4 the built ESM and CJS files export the same EOF', async () => {
    const esm = await import('../dist/index.mjs');
    const cjs = createRequire(import.meta.url)('../dist/index.cjs');
    expect(esm.EOF).toBe(EOF);
    expect(cjs.EOF).toBe(EOF);
  });
});
