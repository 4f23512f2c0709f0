// @grpc-aio/protos end to end: the generated helloworld/route_guide modules and the runtime
// loader, on a real grpc-aio server and channel over loopback, plus a grpc-js client built with
// @grpc/proto-loader talking to the same server (bytes-on-the-wire compatibility).
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { insecureChannel } from '@grpc-aio/channel';
import { type Channel, type Server, StatusCode } from '@grpc-aio/core';
import { AioRpcError } from '@grpc-aio/errors';
import { addServicer, loadServices, METHOD_NOT_IMPLEMENTED, stub } from '@grpc-aio/protos';
import { server } from '@grpc-aio/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addGreeterServicerToServer, GreeterStub } from '../../../protos/test/generated/helloworld.js';
import {
  addRouteGuideServicerToServer,
  type Feature,
  type Point,
  RouteGuideStub,
} from '../../../protos/test/generated/route_guide.js';

const protosDir = fileURLToPath(new URL('../../../protos/test/protos', import.meta.url));
const features: Feature[] = [
  { name: 'Hill', location: { latitude: 1, longitude: 1 } },
  { name: 'Lake', location: { latitude: 2, longitude: 2 } },
  { name: 'Wood', location: { latitude: 5, longitude: 5 } },
];

let srv: Server;
let channel: Channel;
let port: number;

beforeAll(async () => {
  srv = server();
  addGreeterServicerToServer({ sayHello: async (request) => ({ message: `Hello, ${request.name}!` }) }, srv);
  addRouteGuideServicerToServer(
    {
      getFeature: async (point) =>
        features.find((feature) => feature.location?.latitude === point.latitude) ?? { location: point },
      async *listFeatures(rectangle) {
        const lo = rectangle.lo?.latitude ?? 0;
        const hi = rectangle.hi?.latitude ?? 0;
        for (const feature of features) {
          const latitude = feature.location?.latitude ?? 0;
          if (latitude >= lo && latitude <= hi) yield feature;
        }
      },
      recordRoute: async (points) => {
        let pointCount = 0;
        for await (const _ of points) pointCount++;
        return { pointCount, featureCount: 0, distance: 0, elapsedTime: 0 };
      },
      async *routeChat(notes) {
        for await (const note of notes) yield { location: note.location, message: `echo ${note.message}` };
      },
    },
    srv,
  );
  // A runtime-loaded service with no implementation: every method answers UNIMPLEMENTED.
  addServicer(srv, loadServices('health.proto', { includeDirs: [protosDir] })['grpc.health.v1.Health']!, {});
  port = await srv.addInsecurePort('127.0.0.1:0');
  await srv.start();
  channel = insecureChannel(`127.0.0.1:${port}`);
});

afterAll(async () => {
  await channel?.close();
  await srv?.stop(null);
});

describe('A74 generated stubs and servicers on a live server', () => {
  it('A74 unary-unary (helloworld)', async () => {
    expect(await GreeterStub(channel).sayHello({ name: 'live' })).toEqual({ message: 'Hello, live!' });
  });

  it('A74 the four kinds (route_guide)', async () => {
    const guide = RouteGuideStub(channel);
    expect(await guide.getFeature({ latitude: 2, longitude: 2 })).toEqual(features[1]);
    const listed: Feature[] = [];
    for await (const feature of guide.listFeatures({ lo: { latitude: 1 }, hi: { latitude: 2 } }))
      listed.push(feature);
    expect(listed).toEqual(features.slice(0, 2));
    const points: Point[] = [{ latitude: 1 }, { latitude: 2 }, { latitude: 3 }];
    // protobufjs (like proto-loader) encodes fields set to zero, so they come back.
    expect(await guide.recordRoute(points)).toEqual({
      pointCount: 3,
      featureCount: 0,
      distance: 0,
      elapsedTime: 0,
    });
    const chat = guide.routeChat();
    await chat.write({ message: 'a', location: { latitude: 9 } });
    await chat.write({ message: 'b' });
    await chat.doneWriting();
    const notes = [];
    for await (const note of chat) notes.push(note);
    expect(notes).toEqual([{ message: 'echo a', location: { latitude: 9 } }, { message: 'echo b' }]);
  });

  it('A74 a method left out answers UNIMPLEMENTED "Method not implemented!"', async () => {
    const health = stub(
      channel,
      loadServices('health.proto', { includeDirs: [protosDir] })['grpc.health.v1.Health']!,
    );
    const error = await Promise.resolve(health.check({ service: '' })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AioRpcError);
    expect([(error as AioRpcError).code(), (error as AioRpcError).details()]).toEqual([
      StatusCode.UNIMPLEMENTED,
      METHOD_NOT_IMPLEMENTED,
    ]);
  });

  it('A74 a grpc-js client on @grpc/proto-loader talks to the same server', async () => {
    const definition = loadSync('helloworld.proto', { includeDirs: [protosDir] });
    const Greeter = grpc.loadPackageDefinition(definition).helloworld as grpc.GrpcObject;
    const Client = Greeter.Greeter as grpc.ServiceClientConstructor;
    const client = new Client(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
    ) as unknown as grpc.Client & {
      SayHello(request: object, callback: (error: Error | null, response: unknown) => void): void;
    };
    try {
      const reply = await new Promise((resolve, reject) =>
        client.SayHello({ name: 'grpc-js' }, (error: Error | null, response: unknown) =>
          error ? reject(error) : resolve(response),
        ),
      );
      expect(reply).toEqual({ message: 'Hello, grpc-js!' });
    } finally {
      client.close();
    }
  });
});
