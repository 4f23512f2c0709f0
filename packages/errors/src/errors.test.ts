import { createRequire } from 'node:module';
import { StatusCode } from '@grpc-aio/core';
import { Metadata } from '@grpc-aio/metadata';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  AioRpcError,
  BaseError,
  CancelledError,
  InternalError,
  InvalidStateError,
  LOCALLY_CANCELLED,
  RpcError,
  Status,
  UsageError,
} from './index.js';

describe('error hierarchy', () => {
  it('A6 A7 A8 A9 UsageError, AbortError and InternalError are BaseErrors and Errors', () => {
    for (const Cls of [UsageError, AbortError, InternalError]) {
      const error = new Cls('boom');
      expect(error).toBeInstanceOf(BaseError);
      expect(error).toBeInstanceOf(Error);
      expect(error).toBeInstanceOf(Cls);
      expect(error.name).toBe(Cls.name);
      expect(error.message).toBe('boom');
      expect(String(error)).toBe(`${Cls.name}: boom`);
    }
    expect(new UsageError('x')).not.toBeInstanceOf(AbortError);
    expect(new BaseError('x')).not.toBeInstanceOf(UsageError);
  });

  it('A10 A73 AioRpcError is an RpcError, not a BaseError', () => {
    const error = new AioRpcError(StatusCode.NOT_FOUND, null, null, 'nope');
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(BaseError);
    expect(error.name).toBe('AioRpcError');
  });

  it("CancelledError is neither an AioRpcError nor a BaseError, and says Python's words", () => {
    const error = new CancelledError();
    expect(error.message).toBe(LOCALLY_CANCELLED);
    expect(error.message).toBe('Locally cancelled by application!');
    expect(error).not.toBeInstanceOf(AioRpcError);
    expect(error).not.toBeInstanceOf(BaseError);
    expect(new InvalidStateError('x')).not.toBeInstanceOf(BaseError);
  });

  it('cause is kept', () => {
    const cause = new Error('root');
    expect(new UsageError('x', { cause }).cause).toBe(cause);
    expect(new AioRpcError(StatusCode.INTERNAL, null, null, 'd', null, { cause }).cause).toBe(cause);
  });

  it('a user subclass keeps ordinary instanceof semantics', () => {
    class MyUsage extends UsageError {}
    expect(new MyUsage('x')).toBeInstanceOf(UsageError);
    expect(new MyUsage('x')).toBeInstanceOf(MyUsage);
    expect(new UsageError('x')).not.toBeInstanceOf(MyUsage);
  });

  it('instanceof is false for primitives and look-alikes', () => {
    expect((null as unknown as object) instanceof UsageError).toBe(false);
    expect((5 as unknown as object) instanceof BaseError).toBe(false);
    expect({ name: 'UsageError', message: 'x' } instanceof UsageError).toBe(false);
  });
});

describe('AioRpcError', () => {
  const initial = new Metadata(['server', 'x']);
  const trailing = new Metadata(['reason-bin', Uint8Array.of(1, 2)], ['retry', 'no']);
  const error = new AioRpcError(StatusCode.UNAVAILABLE, initial, trailing, 'try later', 'debug info');

  it('A10 sync accessors return what it was built with', () => {
    expect(error.code()).toBe(StatusCode.UNAVAILABLE);
    expect(error.details()).toBe('try later');
    expect(error.debugErrorString()).toBe('debug info');
    expect(error.initialMetadata()).toBe(initial);
    expect(error.trailingMetadata()).toBe(trailing);
  });

  it('A10 metadata defaults to empty Metadata; pairs are accepted; details may be absent', () => {
    const bare = new AioRpcError(StatusCode.INTERNAL);
    expect(bare.initialMetadata()).toBeInstanceOf(Metadata);
    expect(bare.initialMetadata().size).toBe(0);
    expect(bare.trailingMetadata().size).toBe(0);
    expect(bare.details()).toBeUndefined();
    expect(bare.debugErrorString()).toBeUndefined();
    expect(new AioRpcError(StatusCode.INTERNAL, [['a', 'b']]).initialMetadata().get('a')).toBe('b');
  });

  it("A10 toString is Python's representation", () => {
    expect(String(error)).toMatchInlineSnapshot(`
      "<AioRpcError of RPC that terminated with:
      	status = StatusCode.UNAVAILABLE
      	details = "try later"
      	debug_error_string = "debug info"
      >"
    `);
    expect(String(new AioRpcError(StatusCode.CANCELLED))).toBe(
      '<AioRpcError of RPC that terminated with:\n\tstatus = StatusCode.CANCELLED\n\tdetails = "None"\n\tdebug_error_string = "None"\n>',
    );
  });

  it('A10 message is one line for stack traces', () => {
    expect(error.message).toBe('StatusCode.UNAVAILABLE: try later');
    expect(error.stack).toContain('AioRpcError: StatusCode.UNAVAILABLE: try later');
  });

  it('A10 serialisable: toJSON/fromJSON round-trips through JSON text', () => {
    const copy = AioRpcError.fromJSON(JSON.parse(JSON.stringify(error)));
    expect(copy.code()).toBe(error.code());
    expect(copy.details()).toBe(error.details());
    expect(copy.debugErrorString()).toBe(error.debugErrorString());
    expect(copy.initialMetadata().equals(initial)).toBe(true);
    expect(copy.trailingMetadata().equals(trailing)).toBe(true);
    expect(String(copy)).toBe(String(error));
  });

  it('A10 status() gives a Status', () => {
    const status = error.status();
    expect(status).toBeInstanceOf(Status);
    expect(status.code).toBe(StatusCode.UNAVAILABLE);
    expect(status.details).toBe('try later');
    expect(status.trailingMetadata.equals(trailing)).toBe(true);
  });

  it('A10 rejects a code that is not a StatusCode', () => {
    expect(() => new AioRpcError(42 as never)).toThrow('AioRpcError code must be a StatusCode, got 42.');
  });

  it('A17 rejects invalid metadata with a TypeError', () => {
    expect(() => new AioRpcError(StatusCode.INTERNAL, [['Bad', 'x']])).toThrow(TypeError);
  });
});

describe('Status', () => {
  it('A73 holds code, details and trailing metadata, frozen', () => {
    const status = new Status(StatusCode.NOT_FOUND, 'gone', [['k', 'v']]);
    expect(status.code).toBe(5);
    expect(status.details).toBe('gone');
    expect(status.trailingMetadata.get('k')).toBe('v');
    expect(Object.isFrozen(status)).toBe(true);
    expect(new Status(StatusCode.OK).details).toBe('');
    expect(() => new Status(-1 as never)).toThrow('Status code must be a StatusCode, got -1.');
  });
});

describe('duplicate copies', () => {
  it('A6 A10 instanceof works between the built ESM and CJS copies', async () => {
    const esm = await import('../dist/index.mjs');
    const cjs = createRequire(import.meta.url)('../dist/index.cjs');
    expect(esm.UsageError).not.toBe(cjs.UsageError);
    const fromCjs = new cjs.UsageError('x');
    expect(fromCjs).toBeInstanceOf(esm.UsageError);
    expect(fromCjs).toBeInstanceOf(esm.BaseError);
    expect(fromCjs).toBeInstanceOf(UsageError);
    expect(fromCjs).not.toBeInstanceOf(esm.AbortError);
    const rpc = new esm.AioRpcError(StatusCode.INTERNAL);
    expect(rpc).toBeInstanceOf(cjs.AioRpcError);
    expect(rpc).toBeInstanceOf(cjs.RpcError);
    expect(rpc).not.toBeInstanceOf(cjs.BaseError);
    expect(new cjs.CancelledError()).toBeInstanceOf(CancelledError);
  });
});
