// Bytes on the wire: our codecs against @grpc/proto-loader's (what grpc-js users run), both ways.
import { fileURLToPath } from 'node:url';
import { loadSync, type MethodDefinition, type Options } from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import { type LoadOptions, loadServices } from '../src/index.js';

const dir = fileURLToPath(new URL('./protos', import.meta.url));

const cases: { file: string; method: string; request: object; response: object }[] = [
  {
    file: 'helloworld.proto',
    method: 'helloworld.Greeter/SayHello',
    request: { name: 'wire' },
    response: { message: 'Hello, wire' },
  },
  {
    file: 'route_guide.proto',
    method: 'routeguide.RouteGuide/RecordRoute',
    request: { latitude: 409146138, longitude: -746188906 },
    response: { pointCount: 3, featureCount: 1, distance: 1200, elapsedTime: 9 },
  },
  {
    file: 'health.proto',
    method: 'grpc.health.v1.Health/Watch',
    request: { service: 'helloworld.Greeter' },
    response: { status: 'NOT_SERVING' },
  },
  {
    file: 'kitchen.proto',
    method: 'kitchen.v1.Kitchen/Install',
    request: {
      name: 'main',
      kind: 'SINGLE',
      color: 'GREEN',
      tags: [{ key: 'a', color: 'RED' }, { key: 'b' }],
      counts: { x: 1, y: -2 },
      drawers: { 7: { label: 'spoons', items: ['tea', 'soup'] } },
      spare: { label: 'spare' },
      big: '-9007199254740993',
      unsignedBig: '18446744073709551615',
      blob: Buffer.from([0, 255, 7]),
      ratio: 0.25,
      clean: true,
      installedAt: { seconds: '1700000000', nanos: 123 },
      warranty: { seconds: '31536000' },
      // protobufjs (and so proto-loader) names Any's field type_url whatever keepCase says.
      extra: { type_url: 'type.googleapis.com/shared.Tag', value: Buffer.from([10, 1, 107]) },
      attributes: {
        fields: { a: { stringValue: 'b' }, n: { numberValue: 2 }, z: { nullValue: 'NULL_VALUE' } },
      },
      nickname: { value: 'sinky' },
      mask: { paths: ['name', 'kind'] },
      note: '',
      serials: ['1', '-9223372036854775808'],
    },
    response: {},
  },
];

const optionSets: [string, LoadOptions, Options][] = [
  [
    'the grpc-node example options',
    { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true },
    { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true },
  ],
  ['no conversion options', { longs: String, enums: String }, { longs: String, enums: String }],
];

describe('A74 codecs match @grpc/proto-loader byte for byte', () => {
  for (const [label, ours, theirs] of optionSets) {
    for (const { file, method, request, response } of cases) {
      it(`A74 ${method} with ${label}`, () => {
        const [serviceName, methodName] = method.split('/') as [string, string];
        const service = loadServices(file, { includeDirs: [dir], ...ours })[serviceName]!;
        const descriptor = service.methods[methodName]!;
        const definition = loadSync(file, { includeDirs: [dir], ...theirs })[serviceName] as Record<
          string,
          MethodDefinition<object, object>
        >;
        const peer = definition[methodName]!;
        expect(descriptor.path).toBe(peer.path);
        expect(descriptor.requestStream).toBe(peer.requestStream);
        expect(descriptor.responseStream).toBe(peer.responseStream);

        const ourRequest = descriptor.requestSerializer(request);
        const theirRequest = peer.requestSerialize(request);
        expect(Buffer.from(ourRequest)).toEqual(Buffer.from(theirRequest));
        expect(descriptor.requestDeserializer(theirRequest)).toEqual(
          peer.requestDeserialize(Buffer.from(ourRequest)),
        );

        const ourResponse = descriptor.responseSerializer(response);
        const theirResponse = peer.responseSerialize(response);
        expect(Buffer.from(ourResponse)).toEqual(Buffer.from(theirResponse));
        expect(descriptor.responseDeserializer(theirResponse)).toEqual(
          peer.responseDeserialize(Buffer.from(ourResponse)),
        );
        // The request decodes to what was sent (modulo defaults), so the comparison is not vacuous.
        expect(ourRequest.length).toBeGreaterThan(0);
      });
    }
  }
});
