// Review: only the end hooks of a recorder are contained; onAttemptStart / onReceived that
// throw escape (the call is not "still settled").
import type { CallTelemetry } from '@grpc-aio/core';
import type { Metadata } from '@grpc-aio/metadata';
import { fakeChannel } from '@grpc-aio/testing';
import { describe, expect, it } from 'vitest';

const METHOD = '/test.Hooks/Unary';

function throwingAt(hook: 'onAttemptStart' | 'onReceived' | 'onSent'): {
  telemetry: CallTelemetry;
  ends: number[];
} {
  const ends: number[] = [];
  const telemetry: CallTelemetry = {
    clientCall: () => ({
      attempt: () => ({
        onAttemptStart: (metadata: Metadata) => {
          if (hook === 'onAttemptStart') throw new Error('start broke');
          return metadata;
        },
        onSent: () => {
          if (hook === 'onSent') throw new Error('sent broke');
        },
        onReceived: () => {
          if (hook === 'onReceived') throw new Error('received broke');
        },
        onAttemptEnd: () => {},
      }),
      onCallEnd: (code) => {
        ends.push(code);
      },
    }),
  };
  return { telemetry, ends };
}

describe('recorder start/message hooks that throw', () => {
  for (const hook of ['onAttemptStart', 'onSent', 'onReceived'] as const) {
    it(`${hook}: the call still answers and its recorder is ended`, async () => {
      const { telemetry, ends } = throwingAt(hook);
      const fake = fakeChannel({ telemetry }).handle(METHOD, (request: Buffer) => request);
      const original = console.error;
      console.error = () => {};
      let answer: unknown;
      try {
        answer = String(await fake.unaryUnary(METHOD)(Buffer.from('a'), { timeout: 1 }));
      } catch (error) {
        answer = error;
      } finally {
        console.error = original;
      }
      expect({ answer: String(answer), ends }).toEqual({ answer: 'a', ends: [0] });
      await fake.close();
    });
  }
});
