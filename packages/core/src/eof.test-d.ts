import { describe, expectTypeOf, it } from 'vitest';
import { EOF, type UnaryStreamCall } from './index.js';

describe('EOF types', () => {
  it('A4 comparing with EOF narrows a read result', async () => {
    const call = {} as UnaryStreamCall<{ q: string }, { a: number }>;
    const message = await call.read();
    if (message === EOF) {
      expectTypeOf(message).toEqualTypeOf<typeof EOF>();
    } else {
      expectTypeOf(message).toEqualTypeOf<{ a: number }>();
    }
  });
});
