import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  loadFromDescriptorSet,
  loadFromJSON,
  loadFromSource,
  loadProtos,
  loadProtosAndServices,
  loadServices,
  ProtoLoadError,
} from '../src/index.js';

const dir = fileURLToPath(new URL('./protos', import.meta.url));
const includeDirs = [dir];

describe('A74 loadProtos', () => {
  it('A74 loads messages and enums by full name', () => {
    const protos = loadProtos('helloworld.proto', { includeDirs });
    expect(Object.keys(protos.messages)).toEqual(['helloworld.HelloRequest', 'helloworld.HelloReply']);
    const request = protos.message('helloworld.HelloRequest');
    expect(request.fullName).toBe('helloworld.HelloRequest');
    expect(request.type.name).toBe('HelloRequest');
    const bytes = request.serialize({ name: 'you' });
    expect([...bytes]).toEqual([10, 3, 121, 111, 117]);
    expect(request.deserialize(bytes)).toEqual({ name: 'you' });
  });

  it('A74 exposes protobufjs encode/decode/create/verify/fromObject/toObject', () => {
    const { messages } = loadProtos('route_guide.proto', { includeDirs });
    const point = messages['routeguide.Point']!;
    const message = point.create({ latitude: 1, longitude: -2 });
    const bytes = point.encode(message);
    expect(point.toObject(point.decode(bytes))).toEqual({ latitude: 1, longitude: -2 });
    expect(point.verify({ latitude: 'north' })).toBe('latitude: integer expected');
    expect(point.verify({ latitude: 3 })).toBeNull();
    expect(point.toObject(point.fromObject({ latitude: '7' }), { defaults: true })).toEqual({
      latitude: 7,
      longitude: 0,
    });
  });

  it('A74 message() names the known types for an unknown one', () => {
    const protos = loadProtos('helloworld.proto', { includeDirs });
    expect(() => protos.message('helloworld.Nope')).toThrow(
      new TypeError(
        "Unknown message type 'helloworld.Nope'. Known: helloworld.HelloReply, helloworld.HelloRequest",
      ),
    );
  });

  it('A74 resolves imports through includeDirs, and the well-known types without files', () => {
    const protos = loadProtos(path.join(dir, 'kitchen.proto'), { includeDirs });
    for (const name of [
      'shared.Tag',
      'google.protobuf.Timestamp',
      'google.protobuf.Duration',
      'google.protobuf.Empty',
      'google.protobuf.Any',
      'google.protobuf.Struct',
      'google.protobuf.StringValue',
      'google.protobuf.FieldMask',
      'kitchen.v1.Sink.Drawer',
    ]) {
      expect(protos.messages[name], name).toBeDefined();
    }
    expect(protos.enums['shared.Color']).toEqual({ COLOR_UNSPECIFIED: 0, RED: 1, GREEN: 2, BLUE: 3 });
    expect(protos.enums['kitchen.v1.Sink.Kind']).toEqual({ KIND_UNSPECIFIED: 0, DOUBLE: 1, SINGLE: 2 });
  });

  it('A74 accepts a path relative to the current directory and several paths', () => {
    const relative = path.relative(process.cwd(), path.join(dir, 'helloworld.proto'));
    const protos = loadProtos([relative, path.join(dir, 'health.proto')]);
    expect(Object.keys(protos.messages)).toContain('grpc.health.v1.HealthCheckResponse');
    expect(Object.keys(protos.messages)).toContain('helloworld.HelloReply');
  });
});

describe('load options', () => {
  it('an option the loaders do not take is a TypeError naming it (a misspelt includeDirs is not ignored)', () => {
    expect(() => loadProtos('helloworld.proto', { includeDir: [dir] } as never)).toThrow(
      new TypeError(
        "Loading protos does not take the option 'includeDir'; it takes 'includeDirs', 'keepCase', 'longs', 'enums', 'bytes', 'defaults', 'arrays', 'objects', 'oneofs', 'json', 'filename'.",
      ),
    );
  });

  it('an option value protobufjs would ignore is a TypeError naming the option', () => {
    expect(() => loadProtos('helloworld.proto', { includeDirs: [dir], enums: 'String' } as never)).toThrow(
      new TypeError("Load option enums must be String (the constructor), got 'String'."),
    );
    expect(() => loadProtos('helloworld.proto', { includeDirs: [dir], bytes: Number } as never)).toThrow(
      new TypeError('Load option bytes must be String or Array (the constructors), got the function Number.'),
    );
    expect(() => loadFromJSON({ nested: {} }, { defaults: 'yes' } as never)).toThrow(
      new TypeError("Load option defaults must be a boolean, got 'yes'."),
    );
  });
});

describe('A74 conversion options', () => {
  const sink = {
    name: 'main',
    kind: 'DOUBLE',
    color: 'BLUE',
    tags: [{ key: 'a', color: 'RED' }],
    counts: { x: 1 },
    drawers: { 3: { label: 'forks', items: ['a'] } },
    modelNumber: 42,
    big: '9007199254740993',
    unsignedBig: '18446744073709551615',
    blob: Uint8Array.of(1, 2, 3),
    installedAt: { seconds: '1700000000', nanos: 5 },
    nickname: { value: 'sinky' },
    note: 'n',
    serials: ['1', '2'],
  };

  it('A74 longs/enums String and oneofs', () => {
    const protos = loadProtos('kitchen.proto', { includeDirs, longs: String, enums: String, oneofs: true });
    const type = protos.message('kitchen.v1.Sink');
    const decoded = type.deserialize(type.serialize(sink));
    expect(decoded).toEqual({
      ...sink,
      blob: Buffer.from([1, 2, 3]),
      tap: 'modelNumber',
      _note: 'note',
    });
  });

  it('A74 default options decode enums as numbers and 64-bit integers as bigint (never Long)', () => {
    const protos = loadProtos('kitchen.proto', { includeDirs });
    const type = protos.message('kitchen.v1.Sink');
    const decoded = type.deserialize(type.serialize(sink));
    expect(decoded.kind).toBe(1);
    expect(decoded.big).toBe(9007199254740993n);
    expect(decoded.serials).toEqual([1n, 2n]);
    expect(decoded.installedAt.seconds).toBe(1700000000n);
    // toObject with options of its own still says bigint unless they name another form.
    expect(type.toObject(type.decode(type.serialize(sink)), { enums: String }).big).toBe(9007199254740993n);
    expect(decoded.tap).toBeUndefined();
  });

  it('A74 keepCase keeps the .proto field names; defaults fills absent fields', () => {
    const protos = loadProtos('route_guide.proto', { includeDirs, keepCase: true, defaults: true });
    const summary = protos.message('routeguide.RouteSummary');
    expect(summary.deserialize(summary.serialize({ point_count: 2 }))).toEqual({
      point_count: 2,
      feature_count: 0,
      distance: 0,
      elapsed_time: 0,
    });
  });

  it('A74 longs Number, bytes String', () => {
    const protos = loadProtos('kitchen.proto', { includeDirs, longs: Number, bytes: String });
    const type = protos.message('kitchen.v1.Sink');
    expect(type.deserialize(type.serialize({ big: 5, blob: Uint8Array.of(255) }))).toEqual({
      big: 5,
      blob: '/w==',
    });
  });
});

describe('A74 loadServices', () => {
  it('A74 describes every method: path, kind, streaming flags and codecs', () => {
    const services = loadServices('route_guide.proto', { includeDirs });
    expect(Object.keys(services)).toEqual(['routeguide.RouteGuide']);
    const service = services['routeguide.RouteGuide']!;
    expect(service.name).toBe('RouteGuide');
    expect(service.fullName).toBe('routeguide.RouteGuide');
    expect(
      Object.values(service.methods).map(
        ({ name, camelName, path, kind, requestStream, responseStream }) => ({
          name,
          camelName,
          path,
          kind,
          requestStream,
          responseStream,
        }),
      ),
    ).toEqual([
      {
        name: 'GetFeature',
        camelName: 'getFeature',
        path: '/routeguide.RouteGuide/GetFeature',
        kind: 'unaryUnary',
        requestStream: false,
        responseStream: false,
      },
      {
        name: 'ListFeatures',
        camelName: 'listFeatures',
        path: '/routeguide.RouteGuide/ListFeatures',
        kind: 'unaryStream',
        requestStream: false,
        responseStream: true,
      },
      {
        name: 'RecordRoute',
        camelName: 'recordRoute',
        path: '/routeguide.RouteGuide/RecordRoute',
        kind: 'streamUnary',
        requestStream: true,
        responseStream: false,
      },
      {
        name: 'RouteChat',
        camelName: 'routeChat',
        path: '/routeguide.RouteGuide/RouteChat',
        kind: 'streamStream',
        requestStream: true,
        responseStream: true,
      },
    ]);
    const getFeature = service.methods.GetFeature!;
    expect(getFeature.requestType.fullName).toBe('routeguide.Point');
    expect(getFeature.responseType.fullName).toBe('routeguide.Feature');
    const bytes = getFeature.responseSerializer({ name: 'x', location: { latitude: 1 } });
    expect(getFeature.responseDeserializer(bytes)).toEqual({ name: 'x', location: { latitude: 1 } });
    expect(getFeature.requestDeserializer(getFeature.requestSerializer({ longitude: 9 }))).toEqual({
      longitude: 9,
    });
  });

  it('A74 the health service and a service on well-known types', () => {
    const health = loadServices('health.proto', { includeDirs })['grpc.health.v1.Health']!;
    expect(Object.values(health.methods).map((method) => [method.path, method.kind])).toEqual([
      ['/grpc.health.v1.Health/Check', 'unaryUnary'],
      ['/grpc.health.v1.Health/Watch', 'unaryStream'],
    ]);
    const kitchen = loadServices('kitchen.proto', { includeDirs })['kitchen.v1.Kitchen']!;
    expect(kitchen.methods.Install!.responseType.fullName).toBe('google.protobuf.Empty');
    expect([...kitchen.methods.Install!.responseSerializer({})]).toEqual([]);
  });

  it('A74 custom options: google/protobuf/descriptor.proto resolves without files', () => {
    const ping = loadServices('annotated.proto', { includeDirs })['annotated.Pinger']!.methods.Ping!;
    expect(ping.options).toEqual({ '(annotated.route)': '/v1/ping', deprecated: true });
    expect(ping.path).toBe('/annotated.Pinger/Ping');
  });

  it('A74 loadProtosAndServices shares one load', () => {
    const { protos, services } = loadProtosAndServices('helloworld.proto', { includeDirs });
    expect(services['helloworld.Greeter']!.methods.SayHello!.requestType).toBe(
      protos.messages['helloworld.HelloRequest'],
    );
  });
});

describe('A74 in-memory sources', () => {
  it('A74 loadFromSource parses text and loads its imports', () => {
    const source = [
      'syntax = "proto3";',
      'package mem;',
      'import "google/protobuf/empty.proto";',
      'import "sub/common.proto";',
      'service Echo { rpc Ping (shared.Tag) returns (google.protobuf.Empty); }',
    ].join('\n');
    const { services } = loadFromSource(source, { includeDirs, filename: 'mem.proto' });
    const ping = services['mem.Echo']!.methods.Ping!;
    expect(ping.path).toBe('/mem.Echo/Ping');
    expect(ping.requestDeserializer(ping.requestSerializer({ key: 'k' }))).toEqual({ key: 'k' });
  });

  it('A74 loadFromJSON loads a JSON descriptor', () => {
    const { protos } = loadProtosAndServices('helloworld.proto', { includeDirs });
    const { services } = loadFromJSON(protos.root.toJSON(), { defaults: true });
    const sayHello = services['helloworld.Greeter']!.methods.SayHello!;
    expect(sayHello.responseDeserializer(new Uint8Array())).toEqual({ message: '' });
  });
});

describe('A74 descriptor sets', () => {
  it('A74 loadFromDescriptorSet reads a FileDescriptorSet', () => {
    const { protos } = loadProtosAndServices('route_guide.proto', { includeDirs });
    const root = protos.root as unknown as { toDescriptor(syntax: string): object };
    const setType = loadProtos('annotated.proto', { includeDirs }).message(
      'google.protobuf.FileDescriptorSet',
    );
    const bytes = setType.encode(root.toDescriptor('proto3') as never);
    const { services } = loadFromDescriptorSet(bytes, { longs: String });
    const chat = services['routeguide.RouteGuide']!.methods.RouteChat!;
    expect([chat.path, chat.kind]).toEqual(['/routeguide.RouteGuide/RouteChat', 'streamStream']);
    expect(chat.requestDeserializer(chat.requestSerializer({ message: 'm' }))).toEqual({ message: 'm' });
  });

  it('A74 bad bytes are a ProtoLoadError', () => {
    expect(() => loadFromDescriptorSet(Uint8Array.of(0xff, 0xff))).toThrow(ProtoLoadError);
    expect(() => loadFromDescriptorSet('x' as never)).toThrow(
      new TypeError('descriptorSet must be the bytes of a FileDescriptorSet'),
    );
  });
});

describe('A74 errors name the file and line', () => {
  const at = (name: string) => path.join(dir, name);

  it('A74 syntax error', () => {
    const expected = new ProtoLoadError("illegal token 'int32', ';' expected", {
      file: at('bad-syntax.proto'),
      line: 7,
    });
    expect(expected.message).toBe(`${at('bad-syntax.proto')}:7: illegal token 'int32', ';' expected`);
    expect(expected.name).toBe('ProtoLoadError');
    expect(() => loadProtos('bad-syntax.proto', { includeDirs })).toThrow(expected);
  });

  it('A74 ProtoLoadError survives a second copy of the package (the CJS build)', async () => {
    const require = createRequire(import.meta.url);
    const cjs = require('../dist/index.cjs') as typeof import('../src/index.js');
    const error = (() => {
      try {
        cjs.loadProtos('bad-type.proto', { includeDirs });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ProtoLoadError);
    expect(error).not.toBe(undefined);
  });

  it('A74 unknown type', () => {
    expect(() => loadProtos('bad-type.proto', { includeDirs })).toThrow(
      `${at('bad-type.proto')}:7: unknown type "Missing" of field broken.Holder.thing`,
    );
  });

  it('A74 unknown import', () => {
    expect(() => loadProtos('bad-import.proto', { includeDirs })).toThrow(
      `${at('bad-import.proto')}:5: import "nowhere/gone.proto" not found (searched: ${dir})`,
    );
  });

  it('A74 missing file', () => {
    expect(() => loadProtos('missing.proto', { includeDirs })).toThrow(
      `missing.proto: file not found (searched: ${dir}, ${process.cwd()})`,
    );
  });

  it('A74 unknown type of a method, in an in-memory source', () => {
    const source = 'syntax = "proto3";\nmessage A {}\nservice S {\n  rpc M (A) returns (B);\n}\n';
    expect(() => loadFromSource(source, { filename: 'mem.proto' })).toThrow(
      'mem.proto:4: unknown type "B" of method S.M',
    );
  });

  it('A74 an unresolvable JSON descriptor', () => {
    const json = { nested: { p: { nested: { A: { fields: { b: { type: 'B', id: 1 } } } } } } };
    expect(() => loadFromJSON(json)).toThrow(new ProtoLoadError('unknown type "B" of field p.A.b'));
  });

  it('A74 bad arguments are TypeErrors', () => {
    expect(() => loadProtos([])).toThrow(
      new TypeError('paths must be a .proto file path or a non-empty array of them'),
    );
    expect(() => loadProtos(42 as never)).toThrow(TypeError);
    expect(() => loadProtos('helloworld.proto', { includeDirs: 'x' as never })).toThrow(
      new TypeError('includeDirs must be an array of directory paths'),
    );
    expect(() => loadFromJSON(null as never)).toThrow(
      new TypeError('json must be a protobufjs JSON descriptor'),
    );
  });
});
