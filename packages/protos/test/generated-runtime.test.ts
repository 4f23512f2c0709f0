// The committed generated modules at run time, on the fake channel and server.

import { collect, FakeContext, fakeServer } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import { fakeChannel } from './fakes.js';
import {
  addGreeterServicerToServer,
  GreeterService,
  GreeterStub,
  HelloReply,
  HelloRequest,
} from './generated/helloworld.js';
import { Sink, Sink_Kind, shared_Color } from './generated/kitchen.js';
import { addRouteGuideServicerToServer, RouteGuideStub } from './generated/route_guide.js';

describe('A74 generated modules at run time', () => {
  it('A74 GreeterStub(channel) calls /helloworld.Greeter/SayHello with the codecs', async () => {
    const { channel, made } = fakeChannel(() => [HelloReply.serialize({ message: 'Hello, gen' })]);
    const greeter = GreeterStub(channel);
    expect(await greeter.sayHello({ name: 'gen' })).toEqual({ message: 'Hello, gen' });
    expect(made.map(({ method }) => method)).toEqual(['/helloworld.Greeter/SayHello']);
    expect(HelloRequest.deserialize(made[0]!.sent[0]!)).toEqual({ name: 'gen' });
    expect(GreeterService.methods.SayHello.kind).toBe('unaryUnary');
  });

  it('A74 addGreeterServicerToServer registers a working handler', async () => {
    const { server, registered } = fakeServer();
    addGreeterServicerToServer({ sayHello: (request) => ({ message: `Hello, ${request.name}` }) }, server);
    const handler = registered.get('helloworld.Greeter')!.SayHello!;
    const request = handler.requestDeserializer!(HelloRequest.serialize({ name: 'server' }));
    const response = await handler.unaryUnary!(request, new FakeContext().asContext());
    expect(HelloReply.deserialize(handler.responseSerializer!(response))).toEqual({
      message: 'Hello, server',
    });
  });

  it('A74 route_guide: the four kinds', async () => {
    const { server, registered } = fakeServer();
    addRouteGuideServicerToServer(
      {
        getFeature: (point) => ({ name: 'here', location: point }),
        async *listFeatures() {
          yield { name: 'a' };
        },
        recordRoute: async (points) => ({ pointCount: (await collect(points)).length }),
        async *routeChat(notes) {
          yield* notes;
        },
      },
      server,
    );
    expect(Object.keys(registered.get('routeguide.RouteGuide')!)).toEqual([
      'GetFeature',
      'ListFeatures',
      'RecordRoute',
      'RouteChat',
    ]);
    const { channel, made } = fakeChannel(() => []);
    const guide = RouteGuideStub(channel);
    expect(Object.keys(guide)).toHaveLength(8);
    expect(made.map(({ kind }) => kind)).toEqual([
      'unaryUnary',
      'unaryStream',
      'streamUnary',
      'streamStream',
    ]);
  });

  it('A74 kitchen: enums as const objects, options baked in', () => {
    expect(Sink_Kind.DOUBLE).toBe(1);
    expect(shared_Color.BLUE).toBe(3);
    const bytes = Sink.serialize({ kind: 'SINGLE', big: '12345678901234567', brand: 'acme' });
    expect(Sink.deserialize(bytes)).toEqual({
      kind: 'SINGLE',
      big: '12345678901234567',
      brand: 'acme',
      tap: 'brand',
    });
  });
});
