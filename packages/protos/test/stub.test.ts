import { fileURLToPath } from 'node:url';
import { collect } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import { loadServices, NOT_A_SERVICE, stub } from '../src/index.js';
import { fakeChannel } from './fakes.js';

const includeDirs = [fileURLToPath(new URL('./protos', import.meta.url))];
const routeGuide = loadServices('route_guide.proto', { includeDirs })['routeguide.RouteGuide']!;
const greeter = loadServices('helloworld.proto', { includeDirs })['helloworld.Greeter']!;

describe('A74 stub(channel, service)', () => {
  it('A74 makes one multi-callable per method, with its path and the codecs', () => {
    const { channel, made } = fakeChannel(() => []);
    const client = stub(channel, routeGuide);
    expect(made.map(({ kind, method }) => [kind, method])).toEqual([
      ['unaryUnary', '/routeguide.RouteGuide/GetFeature'],
      ['unaryStream', '/routeguide.RouteGuide/ListFeatures'],
      ['streamUnary', '/routeguide.RouteGuide/RecordRoute'],
      ['streamStream', '/routeguide.RouteGuide/RouteChat'],
    ]);
    expect(made[0]!.serializer).toBe(routeGuide.methods.GetFeature!.requestSerializer);
    expect(made[0]!.deserializer).toBe(routeGuide.methods.GetFeature!.responseDeserializer);
    expect(Object.keys(client).sort()).toEqual([
      'GetFeature',
      'ListFeatures',
      'RecordRoute',
      'RouteChat',
      'getFeature',
      'listFeatures',
      'recordRoute',
      'routeChat',
    ]);
    expect(client.getFeature).toBe(client.GetFeature);
    expect(Object.isFrozen(client)).toBe(true);
  });

  it('A74 unary-unary: await stub.sayHello({name}) sends the encoded request and decodes the reply', async () => {
    const reply = greeter.methods.SayHello!.responseSerializer({ message: 'Hello, you' });
    const { channel, made } = fakeChannel(() => [reply]);
    const client = stub(channel, greeter);
    expect(await client.sayHello({ name: 'you' })).toEqual({ message: 'Hello, you' });
    expect(made[0]!.sent.map((bytes) => [...bytes])).toEqual([[10, 3, 121, 111, 117]]);
  });

  it('A74 the streaming kinds', async () => {
    const { methods } = routeGuide;
    const feature = methods.ListFeatures!.responseSerializer({ name: 'hill', location: { latitude: 5 } });
    const summary = methods.RecordRoute!.responseSerializer({ pointCount: 2 });
    const note = methods.RouteChat!.responseSerializer({ message: 'hi' });
    const { channel, made } = fakeChannel((path, requests) => {
      if (path.endsWith('ListFeatures')) return [feature, feature];
      if (path.endsWith('RecordRoute')) return [summary];
      return requests.map(() => note);
    });
    const client = stub(channel, routeGuide);
    expect(await collect(client.listFeatures({ lo: { latitude: 1 }, hi: { latitude: 9 } }))).toEqual([
      { name: 'hill', location: { latitude: 5 } },
      { name: 'hill', location: { latitude: 5 } },
    ]);
    expect(await client.recordRoute([{ latitude: 1 }, { latitude: 2 }])).toEqual({ pointCount: 2 });
    expect(
      await collect(client.RouteChat([{ message: 'a' }, { message: 'b' }, { message: 'c' }])),
    ).toHaveLength(3);
    expect(made[2]!.sent.map((bytes) => methods.RecordRoute!.requestDeserializer(bytes))).toEqual([
      { latitude: 1 },
      { latitude: 2 },
    ]);
  });

  it('A74 bad arguments are TypeErrors', () => {
    const { channel } = fakeChannel(() => []);
    expect(() => stub(channel, undefined as never)).toThrow(new TypeError(NOT_A_SERVICE));
    expect(() => stub({} as never, greeter)).toThrow(
      new TypeError('channel must be a Channel (an object with unaryUnary(), unaryStream(), ...)'),
    );
    expect(NOT_A_SERVICE).toBe('service must be a ServiceDescriptor, as loadServices() returns them');
  });
});
