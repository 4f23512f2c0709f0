// Issue 20 item 4: what a runtime-loaded stub sends is checked field by field before anything is
// sent, as Python's protobuf checks a message when it is built; 64-bit integers are bigints.
import { fileURLToPath } from 'node:url';
import { fakeServer } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import {
  addServicer,
  BAD_LONGS_OPTION,
  loadFromSource,
  loadProtos,
  ONEOF_CONFLICT,
  stub,
  UNKNOWN_FIELD,
} from '../src/index.js';
import { fakeChannel } from './fakes.js';

const includeDirs = [fileURLToPath(new URL('./protos', import.meta.url))];

const CALCULATOR = `
syntax = "proto3";
package calculator;
message DivideRequest {
  int64 dividend = 1;
  int64 divisor = 2;
}
message DivideReply {
  int64 quotient = 1;
  uint64 remainder = 2;
}
message Batch {
  repeated DivideRequest requests = 1;
  map<string, DivideRequest> named = 2;
  map<uint32, string> labels = 3;
  enum Mode { MODE_UNSPECIFIED = 0; FAST = 1; }
  Mode mode = 4;
  oneof target { string file = 5; int32 slot = 6; }
  bytes blob = 7;
  bool dry = 8;
  double weight = 9;
  uint32 small = 10;
  Batch next = 11;
}
service Calculator {
  rpc Divide(DivideRequest) returns (DivideReply);
  rpc Stream(stream DivideRequest) returns (stream DivideReply);
}
`;

const { protos, services } = loadFromSource(CALCULATOR, { filename: 'calculator.proto' });
const divide = protos.message('calculator.DivideRequest');
const batch = protos.message('calculator.Batch');
const calculator = services['calculator.Calculator']!;

function message(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as TypeError).message;
  }
  throw new Error('expected a TypeError');
}

describe('issue 20 item 4: requests are checked before they are sent', () => {
  it('a wrong type names the field by path', () => {
    expect(message(() => divide.serialize({ dividend: 'abc' }))).toMatchInlineSnapshot(
      `"DivideRequest.dividend: expected an int64 (a bigint, integer number or decimal string from -2^63 to 2^63-1), got "abc""`,
    );
    expect(message(() => batch.serialize({ requests: [{}, { divisor: 1.5 }] }))).toMatchInlineSnapshot(
      `"Batch.requests[1].divisor: expected an int64 (a bigint, integer number or decimal string from -2^63 to 2^63-1), got 1.5"`,
    );
    expect(message(() => batch.serialize({ named: { a: { dividend: {} } } }))).toMatchInlineSnapshot(
      `"Batch.named["a"].dividend: expected an int64 (a bigint, integer number or decimal string from -2^63 to 2^63-1), got an object"`,
    );
    expect(message(() => batch.serialize({ next: { next: { dry: 'yes' } } }))).toMatchInlineSnapshot(
      `"Batch.next.next.dry: expected a bool (true or false), got "yes""`,
    );
    expect(message(() => batch.serialize({ mode: 'SLOW' }))).toMatchInlineSnapshot(
      `"Batch.mode: expected a Mode value (an int32 or one of MODE_UNSPECIFIED, FAST), got "SLOW""`,
    );
    expect(message(() => batch.serialize({ small: -1 }))).toMatchInlineSnapshot(
      `"Batch.small: expected a uint32 (an integer from 0 to 2^32-1), got -1"`,
    );
    expect(message(() => batch.serialize({ labels: { x: 'a' } }))).toMatchInlineSnapshot(
      `"Batch.labels["x"]: expected a uint32 map key, got "x""`,
    );
    expect(message(() => batch.serialize({ requests: {} }))).toMatchInlineSnapshot(
      `"Batch.requests: expected a list (an array), got an object"`,
    );
    expect(message(() => batch.serialize({ blob: 'not base64!' }))).toMatchInlineSnapshot(
      `"Batch.blob: expected bytes (a Uint8Array, a base64 string or an array of byte values), got "not base64!""`,
    );
    expect(message(() => batch.serialize({ weight: '1' }))).toMatchInlineSnapshot(
      `"Batch.weight: expected a double (a number), got "1""`,
    );
    expect(message(() => divide.serialize('dividend'))).toMatchInlineSnapshot(
      `"DivideRequest: expected a calculator.DivideRequest message (an object), got "dividend""`,
    );
  });

  it('an unknown (misspelt) field is a TypeError listing the fields', () => {
    expect(message(() => divide.serialize({ dividend: 1n, divsor: 2n }))).toMatchInlineSnapshot(
      `"DivideRequest.divsor: unknown field (the fields of calculator.DivideRequest are: dividend, divisor)"`,
    );
    expect(message(() => batch.serialize({ requests: [{ quotient: 1 }] }))).toContain(
      `Batch.requests[0].quotient: ${UNKNOWN_FIELD}`,
    );
    // A key holding undefined is no value: object spreads produce them.
    expect(() => divide.serialize({ dividend: 1n, divsor: undefined })).not.toThrow();
  });

  it('two members of one oneof set at once', () => {
    expect(message(() => batch.serialize({ file: 'a', slot: 1 }))).toBe(
      `Batch.target: ${ONEOF_CONFLICT} (file, slot)`,
    );
  });

  it('64-bit integers: bigint, integer number, decimal string or Long; out of range refused', () => {
    const reply = protos.message('calculator.DivideReply');
    for (const quotient of [7n, 7, '7']) {
      expect(reply.deserialize(reply.serialize({ quotient }))).toEqual({ quotient: 7n });
    }
    // A protobufjs Long in a plain object.
    const long = (reply.fromObject({ quotient: '-9223372036854775808' }) as unknown as { quotient: object })
      .quotient;
    expect(long.constructor.name).toBe('Long');
    expect(reply.deserialize(reply.serialize({ quotient: long }))).toEqual({
      quotient: -9223372036854775808n,
    });
    expect(reply.deserialize(reply.serialize({ remainder: 18446744073709551615n }))).toEqual({
      remainder: 18446744073709551615n,
    });
    expect(message(() => reply.serialize({ quotient: 2n ** 63n }))).toContain('DivideReply.quotient:');
    expect(message(() => reply.serialize({ remainder: -1 }))).toContain('expected a uint64');
  });

  it('what a decode produces is accepted back, whatever the conversion options', () => {
    const sink = {
      name: 'main',
      kind: 'DOUBLE',
      color: 'BLUE',
      tags: [{ key: 'a', color: 'RED' }],
      counts: { x: 1 },
      drawers: { 3: { label: 'forks', items: ['a'] } },
      modelNumber: 42,
      big: '9007199254740993',
      // Not 2^64-1: with longs Number it decodes to 2^64, which no uint64 holds.
      unsignedBig: '18446744073709549568',
      blob: Uint8Array.of(1, 2, 3),
      ratio: Number.NaN,
      installedAt: { seconds: '1700000000', nanos: 5 },
      extra: { type_url: 'type.googleapis.com/shared.Tag', value: Uint8Array.of(10, 1, 107) },
      attributes: { fields: { a: { stringValue: 'b' }, z: { nullValue: 'NULL_VALUE' } } },
      nickname: { value: 'sinky' },
      note: 'n',
      serials: ['1', '2'],
    };
    for (const options of [
      {},
      { longs: String, enums: String, bytes: String, oneofs: true, defaults: true },
      { longs: Number, bytes: Array, arrays: true, objects: true, json: true },
    ] as const) {
      const type = loadProtos('kitchen.proto', { includeDirs, ...options }).message('kitchen.v1.Sink');
      const decoded = type.deserialize(type.serialize(sink));
      expect(type.deserialize(type.serialize(decoded))).toEqual(decoded);
    }
  });

  it('protobufjs message instances pass unchecked (they are its runtime form)', () => {
    const instance = divide.fromObject({ dividend: '10' });
    expect(divide.deserialize(divide.serialize(instance))).toEqual({ dividend: 10n });
    expect(() => divide.validate(instance)).not.toThrow();
  });

  it('the stub throws for a bad single request before a call exists', () => {
    const { channel, made } = fakeChannel(() => []);
    const client = stub(channel, calculator);
    expect(() => client.divide({ dividend: 'abc' })).toThrow(/^DivideRequest\.dividend: expected an int64/);
    expect(made[0]!.sent).toEqual([]);
  });

  it('servers hand handlers bigints, and check what handlers return', async () => {
    const { server, registered } = fakeServer();
    let seen: unknown;
    addServicer(server, calculator, {
      divide(request: { dividend: bigint; divisor: bigint }) {
        seen = request;
        return { quotient: request.dividend / request.divisor };
      },
    });
    const handler = registered.get('calculator.Calculator')!.Divide!;
    const request = handler.requestDeserializer!(divide.serialize({ dividend: 2n ** 60n, divisor: 2 }));
    expect(request).toEqual({ dividend: 2n ** 60n, divisor: 2n });
    const reply = await handler.unaryUnary!(request, {} as never);
    expect(seen).toEqual({ dividend: 2n ** 60n, divisor: 2n });
    expect(reply).toEqual({ quotient: 2n ** 59n });
    expect(message(() => handler.responseSerializer!({ quotient: 'x' }))).toContain('DivideReply.quotient:');
  });

  it('longs accepts BigInt, String or Number only', () => {
    expect(() => loadFromSource(CALCULATOR, { longs: Boolean as never })).toThrow(BAD_LONGS_OPTION);
    const { protos: asStrings } = loadFromSource(CALCULATOR, { longs: String });
    const reply = asStrings.message('calculator.DivideReply');
    expect(reply.deserialize(reply.serialize({ quotient: 5n }))).toEqual({ quotient: '5' });
  });
});
