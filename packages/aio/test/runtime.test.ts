import { afterEach, describe, expect, it } from 'vitest';
import {
  ChannelConnectivity,
  initGrpcAio,
  insecureChannel,
  server,
  shutdownGrpcAio,
  UsageError,
} from '../src/index.js';
import { grpcAioInitialised } from '../src/runtime.js';

afterEach(() => shutdownGrpcAio());

describe('initGrpcAio / shutdownGrpcAio', () => {
  it('A5 init is idempotent; shutdown closes every channel and stops every server made through grpc-aio', async () => {
    initGrpcAio();
    initGrpcAio();
    expect(grpcAioInitialised()).toBe(true);
    const srv = server();
    await srv.addInsecurePort('127.0.0.1:0');
    await srv.start();
    const channel = insecureChannel('127.0.0.1:1');
    await shutdownGrpcAio();
    await shutdownGrpcAio();
    expect(grpcAioInitialised()).toBe(false);
    expect(channel.getState()).toBe(ChannelConnectivity.SHUTDOWN);
    expect(await srv.waitForTermination(0)).toBe(false);
    await expect(srv.start()).rejects.toThrow(UsageError);
  });
});

describe('insecureChannel with interceptors', () => {
  it('A1 A65 rejects a non-interceptor before creating anything', () => {
    expect(() => insecureChannel('127.0.0.1:1', { interceptors: [42 as never] })).toThrow(TypeError);
  });
});
