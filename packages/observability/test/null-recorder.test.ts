// Review: checkedRecorder() lets only `undefined` through: a CallTelemetry whose clientCall()
// returns null (no recorder for this call, as JavaScript code often says it) now makes every call
// throw "Cannot read properties of null (reading 'attempt')"; before fc0b006 the plain channel
// treated null as no recorder (`call?.attempt()`).
import type { CallTelemetry } from '@grpc-aio/core';
import { fakeChannel } from '@grpc-aio/testing';
import { expect, it } from 'vitest';

const METHOD = '/test.R2/Unary';

it('a recorder of null is no recorder', async () => {
  const telemetry = { clientCall: () => null } as unknown as CallTelemetry;
  const fake = fakeChannel({ telemetry }).handle(METHOD, (request: Buffer) => request);
  expect(String(await fake.unaryUnary(METHOD)(Buffer.from('a')))).toBe('a');
  await fake.close();
});
