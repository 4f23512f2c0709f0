import { Metadata as GrpcJsMetadata, status } from '@grpc/grpc-js';
import { StatusCode } from '@grpc-aio/core';
import { Metadata } from '@grpc-aio/metadata';
import { describe, expect, it } from 'vitest';
import { aioRpcErrorFromGrpcJs } from './grpc-js.js';
import { AioRpcError } from './index.js';

describe('grpc-js status to AioRpcError', () => {
  it('A10 keeps code, details, trailing metadata, initial metadata and the cause', () => {
    const trailers = new GrpcJsMetadata();
    trailers.add('why', 'because');
    trailers.add('blob-bin', Buffer.from([9]));
    const serviceError = Object.assign(new Error('5 NOT_FOUND: missing'), {
      code: status.NOT_FOUND,
      details: 'missing',
      metadata: trailers,
    });
    const initial = new GrpcJsMetadata();
    initial.add('hello', 'there');
    const error = aioRpcErrorFromGrpcJs(serviceError, initial);
    expect(error).toBeInstanceOf(AioRpcError);
    expect(error.code()).toBe(StatusCode.NOT_FOUND);
    expect(error.details()).toBe('missing');
    expect(error.debugErrorString()).toBe('5 NOT_FOUND: missing');
    expect(error.trailingMetadata().getAll('why')).toEqual(['because']);
    expect(error.trailingMetadata().get('blob-bin')).toEqual(Buffer.from([9]));
    expect(error.initialMetadata().get('hello')).toBe('there');
    expect(error.cause).toBe(serviceError);
  });

  it('A10 accepts a plain StatusObject and our own Metadata as initial metadata', () => {
    const error = aioRpcErrorFromGrpcJs(
      { code: status.UNAVAILABLE, details: 'down', metadata: new GrpcJsMetadata() },
      new Metadata(['a', 'b']),
    );
    expect(error.debugErrorString()).toBe('14 UNAVAILABLE: down');
    expect(error.initialMetadata().get('a')).toBe('b');
    expect(error.cause).toBeUndefined();
  });

  it("A10 a code that is not a status code (a hostile server's 99) is UNKNOWN, naming what came", () => {
    const error = aioRpcErrorFromGrpcJs({ code: 99, details: 'x', metadata: new GrpcJsMetadata() } as never);
    expect([error.code(), error.details()]).toEqual([
      StatusCode.UNKNOWN,
      'Invalid grpc-status received from the server: 99 (grpc-message: x)',
    ]);
  });
});
