// Random input at the public boundaries (fast-check): the Metadata API, metadata over the wire,
// and the (de)serializer boundary on both sides. Only the documented errors may come out.
import { insecureChannel } from '@grpc-aio/channel';
import { type Server, StatusCode } from '@grpc-aio/core';
import { AioRpcError } from '@grpc-aio/errors';
import { Metadata } from '@grpc-aio/metadata';
import { methodHandlersGenericHandler, server, unaryUnaryRpcMethodHandler } from '@grpc-aio/server';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protos } from '../src/proto.js';
import { addTestService } from '../src/test-service.js';

const KEY = /^[0-9a-z_.-]+$/;
const PRINTABLE = /^[\x20-\x7e]*$/;

const keyArb = fc.oneof(
  fc.stringMatching(/^[0-9a-z_.-]{1,12}$/),
  fc.stringMatching(/^[0-9a-z_.-]{1,8}-bin$/),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', 'A', 'x-Bin', 'k-bin', 'grpc-x', ':path'),
  fc.constantFrom(null, undefined, 42, {}),
);
const valueArb = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.stringMatching(/^[\x20-\x7e]{0,20}$/),
  fc.uint8Array({ maxLength: 20 }),
  fc.constantFrom(null, undefined, 7, [1, 2], {}),
);

/** What Metadata should make of one pair: undefined = accepted, else a TypeError. */
function expectedError(key: unknown, value: unknown): boolean {
  if (typeof key !== 'string' || !KEY.test(key)) return true;
  if (key.endsWith('-bin')) return !(value instanceof Uint8Array);
  return typeof value !== 'string' || !PRINTABLE.test(value) || value.startsWith(' ') || value.endsWith(' ');
}

describe('Metadata API fuzz', () => {
  it('A11 A17 a pair is accepted exactly when valid; otherwise a TypeError naming the problem', () => {
    fc.assert(
      fc.property(keyArb, valueArb, (key, value) => {
        let thrown: unknown;
        let md: Metadata | undefined;
        try {
          md = new Metadata([key as string, value as string]);
        } catch (error) {
          thrown = error;
        }
        if (expectedError(key, value)) {
          expect(thrown).toBeInstanceOf(TypeError);
          expect((thrown as TypeError).message).toMatch(/^Metadata (key|value)/);
        } else {
          expect(thrown).toBeUndefined();
          expect(md!.getAll(key as string)).toEqual([value]);
          expect(typeof String(md)).toBe('string');
          expect(md!.equals(md!.copy())).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('A14 A15 add/deleteAll/getAll/size follow a simple model', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('add' as const),
        key: fc.constantFrom('a', 'b', 'c'),
        value: fc.stringMatching(/^[a-z]{0,3}$/),
      }),
      fc.record({ kind: fc.constant('deleteAll' as const), key: fc.constantFrom('a', 'b', 'c') }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const md = new Metadata();
        const model: [string, string][] = [];
        for (const o of ops) {
          if (o.kind === 'add') {
            md.add(o.key, o.value);
            model.push([o.key, o.value]);
          } else {
            expect(md.deleteAll(o.key)).toBe(model.some(([k]) => k === o.key));
            for (let i = model.length - 1; i >= 0; i--) if (model[i]![0] === o.key) model.splice(i, 1);
          }
          expect(md.size).toBe(model.length);
        }
        for (const key of ['a', 'b', 'c'])
          expect(md.getAll(key)).toEqual(model.filter(([k]) => k === key).map(([, v]) => v));
      }),
      { numRuns: 500 },
    );
  });
});

describe('over the wire', () => {
  let srv: Server;
  let port: number;
  let channel: ReturnType<typeof insecureChannel>;
  beforeAll(async () => {
    srv = server();
    addTestService(srv);
    srv.addGenericRpcHandlers([
      methodHandlersGenericHandler('t.F', {
        // Reports the x- keys it received; tries to answer with a trailing value padded with spaces.
        Spaces: unaryUnaryRpcMethodHandler(async (_req: Buffer, context) => {
          expect(() => context.setTrailingMetadata([['x-padded', ' t ']])).toThrow(TypeError);
          return Buffer.from(
            JSON.stringify([...context.invocationMetadata()].filter(([k]) => k.startsWith('x-'))),
          );
        }),
        // Echoes the x- invocation metadata as trailing metadata.
        Echo: unaryUnaryRpcMethodHandler(async (req: Buffer, context) => {
          context.setTrailingMetadata([...context.invocationMetadata()].filter(([k]) => k.startsWith('x-')));
          return req;
        }),
      }),
    ]);
    port = await srv.addInsecurePort('127.0.0.1:0');
    await srv.start();
    channel = insecureChannel(`127.0.0.1:${port}`);
  });
  afterAll(async () => {
    await channel?.close();
    await srv?.stop(null);
  });

  it('A17 A54 valid random metadata arrives as sent (distinct keys)', async () => {
    const echo = channel.unaryUnary('/t.F/Echo');
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(
          fc.oneof(
            fc.tuple(
              fc.stringMatching(/^x-[0-9a-z_.-]{1,10}[0-9a-z]$/),
              fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,30}[\x21-\x7e])?$/),
            ),
            fc.tuple(
              fc.stringMatching(/^x-[0-9a-z_.-]{1,10}-bin$/),
              fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
            ),
          ),
          { selector: ([k]) => k, maxLength: 8 },
        ),
        async (pairs) => {
          const call = echo(Buffer.alloc(0), { metadata: pairs as [string, string][], timeout: 5 });
          await call;
          const trailing = await call.trailingMetadata();
          for (const [key, value] of pairs) {
            const got = trailing.get(key);
            if (typeof value === 'string') expect(got).toBe(value);
            else expect(Buffer.from(got as Uint8Array)).toEqual(value);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  // RFC 9113 forbids leading/trailing whitespace in field values and Node's HTTP/2 receiver drops
  // such headers without a word, so Metadata refuses them: a TypeError before anything is sent,
  // on either side, instead of a silently lost value.
  it('A17 A54 values with leading/trailing spaces are refused before sending, both ways; inner spaces arrive', async () => {
    const spaces = channel.unaryUnary('/t.F/Spaces');
    expect(() => spaces(Buffer.alloc(0), { metadata: [['x-lead', ' a']], timeout: 5 })).toThrow(
      'Metadata value for key "x-lead" must not start or end with a space',
    );
    expect(() => spaces(Buffer.alloc(0), { metadata: [['x-trail', 'a ']], timeout: 5 })).toThrow(TypeError);
    const call = spaces(Buffer.alloc(0), { metadata: [['x-inner', 'a b']], timeout: 5 });
    expect(JSON.parse(Buffer.from((await call) as Buffer).toString())).toEqual([['x-inner', 'a b']]);
    expect((await call.trailingMetadata()).get('x-padded')).toBeUndefined();
  });

  it('A72 random request bytes: OK or INTERNAL "Failed to deserialize request: ...", and the server keeps serving', async () => {
    const raw = channel.unaryUnary('/grpc.testing.TestService/UnaryCall');
    const codes = new Set<number>();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), async (bytes) => {
        try {
          await raw(Buffer.from(bytes), { timeout: 5 });
          codes.add(StatusCode.OK);
        } catch (error) {
          expect(error).toBeInstanceOf(AioRpcError);
          const e = error as AioRpcError;
          // A well-formed request may ask for a status (response_status) or a huge response.
          if (e.code() === StatusCode.INTERNAL)
            expect(e.details()).toMatch(/^Failed to deserialize request: /);
          codes.add(e.code());
        }
      }),
      { numRuns: 200 },
    );
    expect(codes.has(StatusCode.INTERNAL)).toBe(true);
    expect(await channel.unaryUnary('/grpc.testing.TestService/EmptyCall')(Buffer.alloc(0))).toEqual(
      Buffer.alloc(0),
    );
  });

  it('A36 random response bytes: the client deserializer fails INTERNAL "Response message parsing error: ..."', async () => {
    const rawSrv = server();
    let next = Buffer.alloc(0);
    rawSrv.addGenericRpcHandlers([
      methodHandlersGenericHandler('t.R', { Give: unaryUnaryRpcMethodHandler(async () => next) }),
    ]);
    const rawPort = await rawSrv.addInsecurePort('127.0.0.1:0');
    await rawSrv.start();
    const ch = insecureChannel(`127.0.0.1:${rawPort}`);
    try {
      const SimpleResponse = protos.message('grpc.testing.SimpleResponse');
      const give = ch.unaryUnary('/t.R/Give', null, (b: Uint8Array) => SimpleResponse.deserialize(b));
      let failures = 0;
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), async (bytes) => {
          next = Buffer.from(bytes);
          try {
            await give(Buffer.alloc(0), { timeout: 5 });
          } catch (error) {
            failures++;
            expect(error).toBeInstanceOf(AioRpcError);
            expect((error as AioRpcError).code()).toBe(StatusCode.INTERNAL);
            expect((error as AioRpcError).details()).toMatch(/^Response message parsing error: /);
          }
        }),
        { numRuns: 200 },
      );
      expect(failures).toBeGreaterThan(0);
    } finally {
      await ch.close();
      await rawSrv.stop(null);
    }
  });
});
