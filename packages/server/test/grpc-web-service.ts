// The service the gRPC-Web tests call: test.Web with a unary, a server-streaming and a
// client-streaming method, over plain UTF-8 messages or google.protobuf.StringValue (for the
// gRPC-Web client libraries and the browser).
import { StatusCode } from '@grpc-aio/core';
import type { GenericRpcHandler, ServicerContext } from '../src/index.js';
import {
  methodHandlersGenericHandler,
  streamUnaryRpcMethodHandler,
  unaryStreamRpcMethodHandler,
  unaryUnaryRpcMethodHandler,
} from '../src/index.js';

export interface Codec {
  decode(bytes: Uint8Array): string;
  encode(value: string): Uint8Array;
}

export const utf8: Codec = {
  decode: (bytes) => Buffer.from(bytes).toString('utf8'),
  encode: (value) => Buffer.from(value, 'utf8'),
};

/** google.protobuf.StringValue: field 1, a string (lengths below 128 bytes are enough here). */
export const stringValue: Codec = {
  decode(bytes) {
    if (bytes.length === 0) return '';
    if (bytes[0] !== 0x0a) throw new Error('not a StringValue');
    let length = 0;
    let shift = 0;
    let offset = 1;
    for (;;) {
      const byte = bytes[offset++] as number;
      length |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
    }
    return Buffer.from(bytes.subarray(offset, offset + length)).toString('utf8');
  },
  encode(value) {
    const text = Buffer.from(value, 'utf8');
    if (text.length === 0) return new Uint8Array(0);
    const prefix: number[] = [0x0a];
    let length = text.length;
    while (length >= 0x80) {
      prefix.push((length & 0x7f) | 0x80);
      length >>>= 7;
    }
    prefix.push(length);
    return Buffer.concat([Buffer.from(prefix), text]);
  },
};

/** What the handlers saw, for the tests to check. */
export interface Seen {
  metadata: [string, string | Uint8Array][];
  /** The reason of the last RPC's context.signal, once aborted. */
  abortReason: unknown;
  aborted: Promise<unknown>;
  peer: string;
}

export const FAIL_DETAILS = 'no such thing: ✓ 100%';

/** The test.Web service; `seen` records what its handlers saw. */
export function webService(codec: Codec, seen?: Seen): GenericRpcHandler {
  const watch = (context: ServicerContext<unknown, unknown>): void => {
    if (seen === undefined) return;
    seen.metadata = [...context.invocationMetadata()].map(([key, value]) => [key, value]);
    seen.peer = context.peer();
    seen.aborted = new Promise((resolve) => {
      context.signal.addEventListener('abort', () => {
        seen.abortReason = context.signal.reason;
        resolve(context.signal.reason);
      });
    });
  };
  return methodHandlersGenericHandler('test.Web', {
    Unary: unaryUnaryRpcMethodHandler<string, string>(
      async (request, context) => {
        watch(context as ServicerContext<unknown, unknown>);
        if (request === 'fail') {
          return context.abort(StatusCode.NOT_FOUND, FAIL_DETAILS, [
            ['x-reason', 'missing'],
            ['x-reason-bin', Buffer.from([0, 1, 2, 255])],
          ]);
        }
        if (request === 'wait') {
          // Until the deadline or the client's cancellation.
          await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
          return 'never';
        }
        if (request === 'metadata') {
          const value = context.invocationMetadata().get('x-token-bin');
          return `${context.invocationMetadata().get('x-custom')}|${value instanceof Uint8Array ? [...value].join(',') : ''}`;
        }
        return `hello ${request}`;
      },
      codec.decode,
      codec.encode,
    ),
    Stream: unaryStreamRpcMethodHandler<string, string>(
      async function* (request, context) {
        watch(context as ServicerContext<unknown, unknown>);
        await context.sendInitialMetadata([
          ['x-initial', 'yes'],
          ['x-initial-bin', Buffer.from([9, 8, 7])],
        ]);
        if (request === 'wait') {
          yield 'first';
          await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
          return;
        }
        for (let index = 0; index < 3; index++) yield `${request}-${index}`;
        if (request === 'fail-after') {
          await context.abort(StatusCode.RESOURCE_EXHAUSTED, FAIL_DETAILS, [['x-after', 'three']]);
        }
        context.setTrailingMetadata([
          ['x-trailer', 'done'],
          ['x-trailer-bin', Buffer.from([1, 2, 3])],
        ]);
      },
      codec.decode,
      codec.encode,
    ),
    Collect: streamUnaryRpcMethodHandler<string, string>(
      async (requests) => {
        let all = '';
        for await (const request of requests) all += request;
        return all;
      },
      codec.decode,
      codec.encode,
    ),
  });
}

export function newSeen(): Seen {
  return { metadata: [], abortReason: undefined, aborted: new Promise(() => {}), peer: '' };
}
