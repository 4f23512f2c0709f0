import { Metadata } from '@grpc-aio/metadata';
import { describe, expect, it } from 'vitest';
import {
  methodHandlersGenericHandler,
  streamStreamRpcMethodHandler,
  streamUnaryRpcMethodHandler,
  unaryStreamRpcMethodHandler,
  unaryUnaryRpcMethodHandler,
} from './method-handlers.js';

describe('method handler helpers', () => {
  it('A72 each helper sets the streaming flags, the codecs and exactly its behavior', () => {
    const behavior = () => undefined as never;
    const deserializer = (bytes: Uint8Array) => bytes;
    const serializer = (value: Uint8Array) => value;
    expect(unaryUnaryRpcMethodHandler(behavior, deserializer, serializer)).toEqual({
      requestStreaming: false,
      responseStreaming: false,
      requestDeserializer: deserializer,
      responseSerializer: serializer,
      unaryUnary: behavior,
    });
    expect(unaryStreamRpcMethodHandler(behavior)).toMatchObject({
      requestStreaming: false,
      responseStreaming: true,
      unaryStream: behavior,
    });
    expect(streamUnaryRpcMethodHandler(behavior)).toMatchObject({
      requestStreaming: true,
      responseStreaming: false,
      streamUnary: behavior,
    });
    expect(streamStreamRpcMethodHandler(behavior)).toMatchObject({
      requestStreaming: true,
      responseStreaming: true,
      streamStream: behavior,
    });
    expect(Object.isFrozen(unaryUnaryRpcMethodHandler(behavior))).toBe(true);
  });

  it('A72 bad behaviors and codecs are TypeErrors', () => {
    expect(() => unaryUnaryRpcMethodHandler(undefined as never)).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: unaryUnary behavior must be a function.]`,
    );
    expect(() =>
      unaryUnaryRpcMethodHandler(() => new Uint8Array(), 'x' as never),
    ).toThrowErrorMatchingInlineSnapshot(`[TypeError: requestDeserializer must be a function.]`);
  });

  it('A72 methodHandlersGenericHandler routes /service/Method and names its service', () => {
    const handler = unaryUnaryRpcMethodHandler(() => new Uint8Array());
    const generic = methodHandlersGenericHandler('pkg.Svc', { Call: handler });
    expect(generic.serviceName()).toBe('pkg.Svc');
    const details = (method: string) => ({ method, invocationMetadata: new Metadata() });
    expect(generic.service(details('/pkg.Svc/Call'))).toBe(handler);
    expect(generic.service(details('/pkg.Svc/Other'))).toBeUndefined();
    expect(generic.service(details('/other.Svc/Call'))).toBeUndefined();
    expect(() => methodHandlersGenericHandler('', {})).toThrow(TypeError);
    expect(() =>
      methodHandlersGenericHandler('pkg.Svc', { Call: {} as never }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: Handler of method "Call" must be an RpcMethodHandler.]`,
    );
  });
});
