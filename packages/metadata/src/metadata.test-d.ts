import { describe, expectTypeOf, it } from 'vitest';
import { Metadata, type MetadataValue } from './index.js';

describe('Metadata types', () => {
  it('A17 get on a literal -bin key is Uint8Array, on a literal text key string', () => {
    const md = new Metadata();
    expectTypeOf(md.get('trace-bin')).toEqualTypeOf<Uint8Array | undefined>();
    expectTypeOf(md.get('authorization')).toEqualTypeOf<string | undefined>();
    expectTypeOf(md.getAll('trace-bin')).toEqualTypeOf<Uint8Array[]>();
    expectTypeOf(md.get('x', 'default')).toEqualTypeOf<string>();
  });

  it('A17 a key only known as string may carry either', () => {
    const md = new Metadata();
    const key: string = 'anything';
    expectTypeOf(md.get(key)).toEqualTypeOf<MetadataValue | undefined>();
  });

  it('A17 add/set reject the wrong value type for a literal key', () => {
    const md = new Metadata();
    // @ts-expect-error a -bin key takes bytes
    md.add('trace-bin', 'text');
    // @ts-expect-error a text key takes a string
    md.set('name', Uint8Array.of(1));
    md.add('trace-bin', Uint8Array.of(1)).add('name', 'ok');
  });
});
