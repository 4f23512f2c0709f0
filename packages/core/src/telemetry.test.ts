import { Metadata } from '@grpc-aio/metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { StatusCode } from './enums.js';
import {
  type CallTelemetry,
  type ClientCallTelemetry,
  checkTelemetry,
  deregisterTelemetry,
  globalTelemetry,
  registerTelemetry,
} from './telemetry.js';

function recording(name: string, log: string[]): CallTelemetry {
  return {
    clientCall: ({ method }): ClientCallTelemetry => ({
      attempt: () => ({
        onAttemptStart: (metadata) => metadata.copy().set(`x-${name}`, method),
        onSent: (bytes) => log.push(`${name} sent ${bytes}`),
        onReceived: (bytes) => log.push(`${name} received ${bytes}`),
        onAttemptEnd: (code) => log.push(`${name} attempt end ${code}`),
      }),
      onCallEnd: (code) => log.push(`${name} call end ${code}`),
    }),
    serverCall: () => ({
      onSent: () => {},
      onReceived: () => {},
      onEnd: () => {},
      run: (fn) => {
        log.push(`${name} run`);
        return fn();
      },
    }),
  };
}

const registered: CallTelemetry[] = [];
afterEach(() => {
  for (const telemetry of registered.splice(0)) deregisterTelemetry(telemetry);
});

describe('telemetry registry', () => {
  it('is empty by default: one undefined for channels and servers to check', () => {
    expect(globalTelemetry()).toBeUndefined();
  });

  it('uses the one registered as it is, and fans out over several', () => {
    const log: string[] = [];
    const a = recording('a', log);
    const b = recording('b', log);
    registered.push(a, b);
    registerTelemetry(a);
    registerTelemetry(a);
    expect(globalTelemetry()).toBe(a);
    registerTelemetry(b);
    const recorder = globalTelemetry()!.clientCall!({ method: '/s/M', target: 't' })!;
    const attempt = recorder.attempt();
    const sent = attempt.onAttemptStart(new Metadata());
    expect([...sent]).toEqual([
      ['x-a', '/s/M'],
      ['x-b', '/s/M'],
    ]);
    attempt.onSent(3);
    attempt.onReceived(4);
    attempt.onAttemptEnd(StatusCode.UNAVAILABLE, '');
    recorder.onCallEnd(StatusCode.OK, '');
    const server = globalTelemetry()!.serverCall!({
      method: '/s/M',
      registered: true,
      metadata: () => new Metadata(),
    })!;
    expect(server.run!(() => 42)).toBe(42);
    expect(log).toEqual([
      'a sent 3',
      'b sent 3',
      'a received 4',
      'b received 4',
      'a attempt end 14',
      'b attempt end 14',
      'a call end 0',
      'b call end 0',
      'a run',
      'b run',
    ]);
    expect(deregisterTelemetry(a)).toBe(true);
    expect(deregisterTelemetry(a)).toBe(false);
    expect(globalTelemetry()).toBe(b);
    deregisterTelemetry(b);
    expect(globalTelemetry()).toBeUndefined();
  });

  it('refuses what is not a telemetry', () => {
    expect(() => registerTelemetry({} as never)).toThrow(TypeError);
    expect(checkTelemetry('server()', undefined)).toBeUndefined();
    expect(() => checkTelemetry('server()', 'plugin')).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: server() option telemetry must be a CallTelemetry (such as an OpenTelemetryPlugin), got string.]`,
    );
  });
});
