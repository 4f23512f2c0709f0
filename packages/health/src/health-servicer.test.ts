import { getEventListeners } from 'node:events';
import type { ServicerContext, StatusCode } from '@grpc-aio/core';
import { AbortError } from '@grpc-aio/errors';
import { describe, expect, it } from 'vitest';
import {
  decodeCheckResponse,
  encodeCheckRequest,
  OVERALL_HEALTH,
  SERVICE_NAME,
  ServingStatus,
} from './health-proto.js';
import { HealthServicer, LIST_LIMIT } from './health-servicer.js';

function fakeContext() {
  const controller = new AbortController();
  const aborted: { code?: StatusCode; details?: string } = {};
  const context = {
    signal: controller.signal,
    async abort(code: StatusCode, details = '') {
      aborted.code = code;
      aborted.details = details;
      throw new AbortError('Locally aborted.');
    },
  } as unknown as ServicerContext;
  return { context, aborted, cancel: () => controller.abort(), signal: controller.signal };
}

describe('HealthServicer', () => {
  it('A75 constants', () => {
    expect(SERVICE_NAME).toBe('grpc.health.v1.Health');
    expect(OVERALL_HEALTH).toBe('');
  });

  it('A75 the status map starts with "" SERVING; check reports it', async () => {
    const servicer = new HealthServicer();
    expect(await servicer.check({ service: '' }, fakeContext().context)).toEqual({
      status: ServingStatus.SERVING,
    });
  });

  it('A75 check of an unknown service aborts NOT_FOUND', async () => {
    const servicer = new HealthServicer();
    const { context, aborted } = fakeContext();
    await expect(servicer.check({ service: 'nope' }, context)).rejects.toBeInstanceOf(AbortError);
    expect(aborted).toEqual({ code: 5, details: 'Unknown service: "nope"' });
  });

  it('A75 set updates check; bad input is a TypeError', async () => {
    const servicer = new HealthServicer();
    await servicer.set('svc', ServingStatus.NOT_SERVING);
    expect(await servicer.check({ service: 'svc' }, fakeContext().context)).toEqual({ status: 2 });
    await expect(servicer.set('svc', 7 as never)).rejects.toThrow(
      'Health status must be a ServingStatus (0..3), got 7.',
    );
    await expect(servicer.set(1 as never, 1)).rejects.toThrow(
      'Health service name must be a string, got number.',
    );
  });

  it('A75 watch sends the current status, then only changes, never repeats', async () => {
    const servicer = new HealthServicer();
    const { context, cancel } = fakeContext();
    const stream = servicer.watch({ service: 'svc' }, context);
    expect((await stream.next()).value).toEqual({ status: ServingStatus.SERVICE_UNKNOWN });
    const next = stream.next();
    await servicer.set('svc', ServingStatus.SERVING);
    expect((await next).value).toEqual({ status: ServingStatus.SERVING });
    const afterRepeat = stream.next();
    await servicer.set('svc', ServingStatus.SERVING); // same status: not sent
    await servicer.set('svc', ServingStatus.NOT_SERVING);
    expect((await afterRepeat).value).toEqual({ status: ServingStatus.NOT_SERVING });
    expect(servicer.activeWatchers).toBe(1);
    const ended = stream.next();
    cancel();
    expect((await ended).done).toBe(true);
    expect(servicer.activeWatchers).toBe(0);
  });

  it('A75 enterGracefulShutdown sets every service NOT_SERVING and ignores later set', async () => {
    const servicer = new HealthServicer();
    await servicer.set('a', ServingStatus.SERVING);
    const { context } = fakeContext();
    const stream = servicer.watch({ service: 'a' }, context);
    expect((await stream.next()).value).toEqual({ status: ServingStatus.SERVING });
    const next = stream.next();
    await servicer.enterGracefulShutdown();
    await servicer.enterGracefulShutdown();
    expect((await next).value).toEqual({ status: ServingStatus.NOT_SERVING });
    expect(servicer.status('')).toBe(ServingStatus.NOT_SERVING);
    await servicer.set('a', ServingStatus.SERVING);
    expect(servicer.status('a')).toBe(ServingStatus.NOT_SERVING);
    expect(servicer.shuttingDown).toBe(true);
    await stream.return(undefined);
    expect(servicer.activeWatchers).toBe(0);
  });

  it('A75 many watchers leave no listeners behind once closed', async () => {
    const servicer = new HealthServicer();
    const watchers = Array.from({ length: 200 }, (_, index) => {
      const { context, cancel, signal } = fakeContext();
      return { stream: servicer.watch({ service: `s${index % 3}` }, context), cancel, signal };
    });
    for (const { stream } of watchers) await stream.next();
    expect(servicer.activeWatchers).toBe(200);
    await Promise.all(
      watchers.map(async ({ stream, cancel }, index) => {
        if (index % 2) {
          const pending = stream.next();
          cancel();
          await pending;
        } else await stream.return(undefined);
      }),
    );
    expect(servicer.activeWatchers).toBe(0);
    for (const { signal } of watchers) expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    await servicer.set('s0', ServingStatus.SERVING); // nobody left to wake
    expect(servicer.activeWatchers).toBe(0);
  });

  it('A75 watchersNotified waits until every watcher has handed out its latest status', async () => {
    const servicer = new HealthServicer();
    await servicer.watchersNotified(); // no watchers: at once
    await servicer.set('x', ServingStatus.SERVING);
    const one = fakeContext();
    const two = fakeContext();
    const first = servicer.watch({ service: '' }, one.context);
    const second = servicer.watch({ service: 'x' }, two.context);
    expect((await first.next()).value).toEqual({ status: ServingStatus.SERVING });
    expect((await second.next()).value).toEqual({ status: ServingStatus.SERVING });
    const events: string[] = [];
    const firstNext = first.next().then(({ value }) => events.push(`first ${value?.status}`));
    const secondNext = second.next().then(({ value }) => events.push(`second ${value?.status}`));
    await servicer.watchersNotified(); // both are waiting for a change
    await servicer.enterGracefulShutdown();
    // The statuses are out once the consumer (the server) asks for the next message.
    const notified = servicer.watchersNotified().then(() => events.push('notified'));
    await Promise.all([firstNext, secondNext]);
    expect(events).toEqual(['first 2', 'second 2']);
    const thirdFirst = first.next();
    const thirdSecond = second.next();
    await notified;
    expect(events).toEqual(['first 2', 'second 2', 'notified']);
    one.cancel();
    two.cancel();
    expect(await Promise.all([thirdFirst, thirdSecond])).toEqual([
      { done: true, value: undefined },
      { done: true, value: undefined },
    ]);
    expect(servicer.activeWatchers).toBe(0);
  });

  it('list reports every status, and RESOURCE_EXHAUSTED past the limit', async () => {
    const servicer = new HealthServicer();
    await servicer.set('a', ServingStatus.NOT_SERVING);
    expect(await servicer.list({}, fakeContext().context)).toEqual({
      statuses: { '': { status: 1 }, a: { status: 2 } },
    });
    for (let index = 0; index < LIST_LIMIT; index++) await servicer.set(`s${index}`, ServingStatus.SERVING);
    const { context, aborted } = fakeContext();
    await expect(servicer.list({}, context)).rejects.toBeInstanceOf(AbortError);
    expect(aborted).toEqual({ code: 8, details: 'More than 100 services to list.' });
  });

  it('handlers() serve Check, Watch and List with protobuf codecs', async () => {
    const handlers = new HealthServicer().handlers();
    expect(Object.keys(handlers)).toEqual(['Check', 'Watch', 'List']);
    const check = handlers.Check!;
    expect([check.requestStreaming, check.responseStreaming]).toEqual([false, false]);
    expect([handlers.Watch!.requestStreaming, handlers.Watch!.responseStreaming]).toEqual([false, true]);
    const request = check.requestDeserializer!(encodeCheckRequest({ service: '' }));
    const response = await check.unaryUnary!(request, fakeContext().context);
    expect(decodeCheckResponse(check.responseSerializer!(response))).toEqual({ status: 1 });
  });
});
