// biome-ignore-all lint/suspicious/noExplicitAny: fakes of the Channel, Server and ServicerContext contracts for services of any message type
// Fakes of the core Channel and Server contracts, and of a ServicerContext: they record what the
// code under test hands them, and play the other side of each call from a script.
import type {
  Channel,
  Deserializer,
  MethodHandlers,
  RequestIterable,
  Serializer,
  Server,
  ServicerContext,
  StatusCode,
} from '@grpc-aio/core';
import { AbortError } from '@grpc-aio/errors';

/** One multi-callable the fake channel created. */
export interface MadeCallable {
  readonly kind: string;
  readonly path: string;
  readonly serialize: Serializer<unknown>;
  readonly deserialize: Deserializer<unknown>;
  /** The bytes of every request sent through it. */
  readonly sent: Uint8Array[];
}

/**
 * A Channel whose calls serialize their requests (recorded as bytes) and answer with the scripted
 * response bytes, deserialized: `respond(path, request bytes)` returns the response bytes.
 */
export function fakeChannel(respond: (path: string, requests: Uint8Array[]) => Uint8Array[]): {
  channel: Channel;
  made: MadeCallable[];
} {
  const made: MadeCallable[] = [];
  const factory =
    (kind: string) =>
    (path: string, serialize?: Serializer<any> | null, deserialize?: Deserializer<any> | null): any => {
      if (!serialize || !deserialize) throw new Error('the fake channel expects codecs');
      const record: MadeCallable = { kind, path, serialize, deserialize, sent: [] };
      made.push(record);
      const streamingRequest = kind.startsWith('stream');
      const streamingResponse = kind.endsWith('Stream');
      return (requestOrIterator?: unknown) => {
        const run = async (): Promise<unknown[]> => {
          const requests: unknown[] = [];
          if (streamingRequest) {
            for await (const request of requestOrIterator as RequestIterable<unknown>) requests.push(request);
          } else {
            requests.push(requestOrIterator);
          }
          for (const request of requests) record.sent.push(serialize(request));
          return respond(path, record.sent).map((bytes) => deserialize(bytes));
        };
        const responses = run();
        if (streamingResponse) {
          return {
            async *[Symbol.asyncIterator]() {
              yield* await responses;
            },
          };
        }
        return responses.then((all) => all[0]);
      };
    };
  const notNeeded = (): never => {
    throw new Error('not used by protos');
  };
  const channel: Channel = {
    unaryUnary: factory('unaryUnary'),
    unaryStream: factory('unaryStream'),
    streamUnary: factory('streamUnary'),
    streamStream: factory('streamStream'),
    close: notNeeded,
    getState: notNeeded,
    waitForStateChange: notNeeded,
    channelReady: notNeeded,
    [Symbol.asyncDispose]: notNeeded,
  };
  return { channel, made };
}

/** A Server that records the registered method handlers by service name. */
export function fakeServer(): { server: Server; registered: Map<string, MethodHandlers> } {
  const registered = new Map<string, MethodHandlers>();
  const notNeeded = (): never => {
    throw new Error('not used by protos');
  };
  const server: Server = {
    addRegisteredMethodHandlers(serviceName, methodHandlers) {
      registered.set(serviceName, methodHandlers);
    },
    addGenericRpcHandlers: notNeeded,
    addInsecurePort: notNeeded,
    addSecurePort: notNeeded,
    start: notNeeded,
    stop: notNeeded,
    waitForTermination: notNeeded,
    [Symbol.asyncDispose]: notNeeded,
  };
  return { server, registered };
}

/** A ServicerContext that records `abort()` and `write()`; everything else is unused by protos. */
export function fakeContext(): {
  context: ServicerContext<any, any>;
  aborted: [StatusCode, string?][];
  written: unknown[];
} {
  const aborted: [StatusCode, string?][] = [];
  const written: unknown[] = [];
  const context = {
    async abort(code: StatusCode, details?: string): Promise<never> {
      aborted.push([code, details]);
      throw new AbortError('Locally aborted.');
    },
    async write(message: unknown): Promise<void> {
      written.push(message);
    },
  } as unknown as ServicerContext<any, any>;
  return { context, aborted, written };
}

/** The items of a sync or async iterable. */
export async function collect<T>(items: AsyncIterable<T> | Iterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) result.push(item);
  return result;
}
