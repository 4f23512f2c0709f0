// The typed stubs and servicers of the generated modules: wrong field or method names, wrong
// message types and wrong call shapes are compile errors.
import type {
  Channel,
  Server,
  StreamStreamCall,
  StreamUnaryCall,
  UnaryStreamCall,
  UnaryUnaryCall,
} from '@grpc-aio/core';
import { describe, expectTypeOf, it } from 'vitest';
import {
  addServicer,
  type MethodDescriptor,
  type ServicerImplementation,
  type Stub,
  stub,
} from '../src/index.js';
import type { HealthCheckResponse_ServingStatus } from './generated/health.js';
import {
  addGreeterServicerToServer,
  GreeterService,
  GreeterStub,
  type HelloReply,
  HelloRequest,
} from './generated/helloworld.js';
import { Sink, type Sink_KindName } from './generated/kitchen.js';
import {
  type Feature,
  type Point,
  type RouteGuideServicer,
  RouteGuideStub,
  type RouteNote,
  type RouteSummary,
} from './generated/route_guide.js';

declare const channel: Channel;
declare const server: Server;

describe('A74 generated stubs', () => {
  it('A74 each method under both names, with its request and response types', () => {
    const greeter = GreeterStub(channel);
    expectTypeOf(greeter.sayHello({ name: 'you' })).toEqualTypeOf<UnaryUnaryCall<HelloRequest, HelloReply>>();
    expectTypeOf(greeter.SayHello).toEqualTypeOf(greeter.sayHello);
    // @ts-expect-error a wrong method name
    greeter.sayHallo({ name: 'you' });
    // @ts-expect-error a wrong field name
    greeter.sayHello({ nam: 'you' });
    // @ts-expect-error a wrong field type
    greeter.sayHello({ name: 42 });

    const guide = RouteGuideStub(channel);
    expectTypeOf(guide.getFeature({ latitude: 1 })).toEqualTypeOf<UnaryUnaryCall<Point, Feature>>();
    expectTypeOf(guide.listFeatures({ lo: { latitude: 1 } })).toEqualTypeOf<
      UnaryStreamCall<import('./generated/route_guide.js').Rectangle, Feature>
    >();
    expectTypeOf(guide.recordRoute([{ latitude: 1 }])).toEqualTypeOf<StreamUnaryCall<Point, RouteSummary>>();
    expectTypeOf(guide.routeChat()).toEqualTypeOf<StreamStreamCall<RouteNote, RouteNote>>();
    // @ts-expect-error a stream-unary method takes an iterable of requests, not one
    guide.recordRoute({ latitude: 1 });
  });

  it('A74 stub() on a typed descriptor gives the same type', () => {
    expectTypeOf(stub(channel, GreeterService)).toEqualTypeOf<Stub<typeof GreeterService>>();
    expectTypeOf<Stub<typeof GreeterService>['sayHello']>().toEqualTypeOf<GreeterStub['sayHello']>();
    expectTypeOf(GreeterService.methods.SayHello).toEqualTypeOf<
      MethodDescriptor<HelloRequest, HelloReply, 'unaryUnary'>
    >();
  });
});

describe('A74 generated servicers', () => {
  it('A74 a complete implementation type-checks; a wrong name or response does not', () => {
    addGreeterServicerToServer({ sayHello: (request) => ({ message: `Hello, ${request.name}` }) }, server);
    // @ts-expect-error a wrong method name
    addGreeterServicerToServer({ sayHallo: () => ({}) }, server);
    // @ts-expect-error a wrong response field
    addGreeterServicerToServer({ sayHello: () => ({ mesage: 'x' }) }, server);

    const guide: RouteGuideServicer = {
      getFeature: async (point) => ({ location: point }),
      async *listFeatures(rectangle) {
        yield { location: rectangle.lo ?? null };
      },
      recordRoute: async (points) => {
        let pointCount = 0;
        for await (const _ of points) pointCount++;
        return { pointCount };
      },
      async *routeChat(notes) {
        yield* notes;
      },
    };
    expectTypeOf(guide.getFeature).parameter(0).toEqualTypeOf<Point>();
  });

  it('A74 addServicer takes any subset, under either name, and rejects unknown names', () => {
    addServicer(server, GreeterService, {});
    addServicer(server, GreeterService, { SayHello: () => ({}) });
    // @ts-expect-error a wrong method name
    addServicer(server, GreeterService, { sayHallo: () => ({}) });
    expectTypeOf<ServicerImplementation<typeof GreeterService>>().toHaveProperty('sayHello');
  });
});

describe('A74 generated messages and enums', () => {
  it('A74 message values are typed MessageTypes; options shape the field types', () => {
    expectTypeOf(HelloRequest.deserialize(new Uint8Array())).toEqualTypeOf<HelloRequest>();
    HelloRequest.serialize({ name: 'x' });
    // @ts-expect-error a wrong field name
    HelloRequest.serialize({ nam: 'x' });
    // kitchen.ts is generated with --longs String --enums String --oneofs
    expectTypeOf<Sink['big']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Sink['kind']>().toEqualTypeOf<Sink_KindName | undefined>();
    expectTypeOf<Sink['tap']>().toEqualTypeOf<'brand' | 'modelNumber' | 'spare' | undefined>();
    expectTypeOf<Sink_KindName>().toEqualTypeOf<'KIND_UNSPECIFIED' | 'DOUBLE' | 'SINGLE'>();
    expectTypeOf<HealthCheckResponse_ServingStatus>().toEqualTypeOf<0 | 1 | 2 | 3>();
    Sink.serialize({ drawers: { 1: { label: 'x' } } });
  });
});
