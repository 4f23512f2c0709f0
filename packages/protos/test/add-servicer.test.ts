import { fileURLToPath } from 'node:url';
import { StatusCode } from '@grpc-aio/core';
import { AbortError } from '@grpc-aio/errors';
import { collect, FakeContext, fakeServer } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import { addServicer, loadServices, METHOD_NOT_IMPLEMENTED, servicerHandlers } from '../src/index.js';

const includeDirs = [fileURLToPath(new URL('./protos', import.meta.url))];
const routeGuide = loadServices('route_guide.proto', { includeDirs })['routeguide.RouteGuide']!;
const greeter = loadServices('helloworld.proto', { includeDirs })['helloworld.Greeter']!;

async function* from<T>(items: T[]): AsyncIterable<T> {
  yield* items;
}

describe('A74 addServicer(server, service, implementation)', () => {
  it('A74 registers one handler per method under the service name, with kinds and codecs', () => {
    const { server, registered } = fakeServer();
    addServicer(server, routeGuide, {
      getFeature: (point: object) => ({ name: 'at', location: point }),
      async *listFeatures() {},
      recordRoute: async () => ({}),
      async *routeChat() {},
    });
    expect([...registered.keys()]).toEqual(['routeguide.RouteGuide']);
    const handlers = registered.get('routeguide.RouteGuide')!;
    expect(
      Object.entries(handlers).map(([name, handler]) => [
        name,
        handler.requestStreaming,
        handler.responseStreaming,
        Object.keys(handler).filter((key) => key.startsWith('unary') || key.startsWith('stream')),
      ]),
    ).toEqual([
      ['GetFeature', false, false, ['unaryUnary']],
      ['ListFeatures', false, true, ['unaryStream']],
      ['RecordRoute', true, false, ['streamUnary']],
      ['RouteChat', true, true, ['streamStream']],
    ]);
    expect(handlers.GetFeature!.requestDeserializer).toBe(routeGuide.methods.GetFeature!.requestDeserializer);
    expect(handlers.GetFeature!.responseSerializer).toBe(routeGuide.methods.GetFeature!.responseSerializer);
  });

  it('A74 handlers call the implementation with this bound (a class instance), under either name', async () => {
    class Guide {
      db = [{ name: 'hill', location: { latitude: 1 } }];
      async GetFeature(point: { latitude?: number }) {
        return this.db.find((feature) => feature.location.latitude === point.latitude) ?? {};
      }
      async *listFeatures() {
        yield* this.db;
      }
      async recordRoute(points: AsyncIterable<unknown>) {
        return { pointCount: (await collect(points)).length };
      }
      async *RouteChat(notes: AsyncIterable<{ message?: string }>) {
        for await (const note of notes) yield { message: `re: ${note.message}` };
      }
    }
    const handlers = servicerHandlers(routeGuide, new Guide());
    const context = new FakeContext().asContext();
    expect(await handlers.GetFeature!.unaryUnary!({ latitude: 1 }, context)).toEqual(new Guide().db[0]);
    expect(
      await collect(handlers.ListFeatures!.unaryStream!({}, context) as AsyncIterable<unknown>),
    ).toHaveLength(1);
    expect(await handlers.RecordRoute!.streamUnary!(from([{}, {}, {}]), context)).toEqual({ pointCount: 3 });
    expect(
      await collect(
        handlers.RouteChat!.streamStream!(from([{ message: 'a' }]), context) as AsyncIterable<unknown>,
      ),
    ).toEqual([{ message: 're: a' }]);
  });

  it('A74 a method missing from the implementation answers UNIMPLEMENTED', async () => {
    const handlers = servicerHandlers(routeGuide, { getFeature: () => ({}) });
    expect(METHOD_NOT_IMPLEMENTED).toBe('Method not implemented!');
    for (const [name, kind] of [
      ['ListFeatures', 'unaryStream'],
      ['RecordRoute', 'streamUnary'],
      ['RouteChat', 'streamStream'],
    ] as const) {
      const context = new FakeContext();
      const behavior = handlers[name]![kind] as (request: unknown, context: unknown) => Promise<unknown>;
      await expect(behavior(from([]), context.asContext())).rejects.toBeInstanceOf(AbortError);
      expect(context.aborted).toEqual([[StatusCode.UNIMPLEMENTED, 'Method not implemented!']]);
    }
  });

  it('A74 a function that is not a method of the service is an error listing the valid names', () => {
    const { server, registered } = fakeServer();
    expect(() =>
      addServicer(server, greeter, { sayHello: () => ({}), sayHelo: () => ({}) } as never),
    ).toThrow(
      new TypeError('helloworld.Greeter has no method named sayHelo. Valid names: SayHello, sayHello'),
    );
    expect(registered.size).toBe(0);
    class WithHelper {
      sayHello() {
        return this.greeting();
      }
      greeting() {
        return {};
      }
    }
    expect(() => addServicer(server, greeter, new WithHelper() as never)).toThrow(
      new TypeError('helloworld.Greeter has no method named greeting. Valid names: SayHello, sayHello'),
    );
  });

  it('A74 state and _private helpers are allowed', () => {
    const { server, registered } = fakeServer();
    addServicer(server, greeter, { greeting: 'hi', _helper: () => 1, sayHello: () => ({}) } as never);
    expect(Object.keys(registered.get('helloworld.Greeter')!)).toEqual(['SayHello']);
  });

  it('A74 other misuse is a TypeError', () => {
    const { server } = fakeServer();
    expect(() => addServicer(server, greeter, { SayHello: () => ({}), sayHello: () => ({}) })).toThrow(
      new TypeError('helloworld.Greeter.SayHello is implemented twice, as SayHello and sayHello'),
    );
    expect(() => addServicer(server, greeter, { sayHello: 'hello' } as never)).toThrow(
      new TypeError('helloworld.Greeter.SayHello: implementation.sayHello must be a function'),
    );
    expect(() => addServicer(server, greeter, null as never)).toThrow(
      new TypeError('The implementation of helloworld.Greeter must be an object with its methods'),
    );
    expect(() => addServicer({} as never, greeter, {})).toThrow(
      new TypeError('server must be a Server (an object with addRegisteredMethodHandlers())'),
    );
    expect(() => addServicer(server, {} as never, {})).toThrow(TypeError);
  });
});
