import { Metadata as GrpcJsMetadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { fromGrpcJsMetadata, toGrpcJsMetadata } from './grpc-js.js';
import { Metadata } from './index.js';

describe('grpc-js conversion', () => {
  it('A17 round-trips multi-values and binary values losslessly', () => {
    const md = new Metadata(
      ['a', '1'],
      ['a', '2'],
      ['b-bin', Uint8Array.of(0, 255)],
      ['b-bin', Uint8Array.of(7)],
    );
    const theirs = toGrpcJsMetadata(md);
    expect(theirs.get('a')).toEqual(['1', '2']);
    expect(theirs.get('b-bin')).toEqual([Buffer.from([0, 255]), Buffer.from([7])]);
    const back = fromGrpcJsMetadata(theirs);
    expect(back.equals(md)).toBe(true);
    expect(back).toBeInstanceOf(Metadata);
  });

  it('A17 accepts pairs and nullish input', () => {
    expect(toGrpcJsMetadata([['k', 'v']]).get('k')).toEqual(['v']);
    expect(toGrpcJsMetadata(undefined).getMap()).toEqual({});
    expect(fromGrpcJsMetadata(undefined).size).toBe(0);
    expect(() => toGrpcJsMetadata([['K', 'v']])).toThrow(TypeError);
  });

  it('reads grpc-js metadata built by grpc-js itself', () => {
    const theirs = new GrpcJsMetadata();
    theirs.add('x', 'y');
    theirs.add('z-bin', Buffer.from('q'));
    expect([...fromGrpcJsMetadata(theirs)]).toEqual([
      ['x', 'y'],
      ['z-bin', Buffer.from('q')],
    ]);
  });
});
