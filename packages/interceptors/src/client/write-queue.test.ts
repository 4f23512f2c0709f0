import { HALF_CLOSED, InvalidStateError, RPC_ALREADY_FINISHED } from '@grpc-aio/errors';
import { describe, expect, it } from 'vitest';
import { WriteQueue } from './write-queue.js';

describe('A26 A28 the request iterable of a write-style call', () => {
  it('a write resolves once taken; writes made before the reader are kept in order', async () => {
    const queue = new WriteQueue<string>();
    let firstTaken = false;
    const first = queue.write('a').then(() => {
      firstTaken = true;
    });
    const second = queue.write('b');
    await Promise.resolve();
    expect(firstTaken).toBe(false);
    const iterator = queue[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: 'a' });
    await first;
    expect(await iterator.next()).toEqual({ done: false, value: 'b' });
    await second;
    const pending = iterator.next();
    await queue.write('c');
    expect(await pending).toEqual({ done: false, value: 'c' });
    queue.doneWriting();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    await expect(queue.write('d')).rejects.toThrow(new InvalidStateError(HALF_CLOSED));
  });

  it('finish() fails pending and later writes with RPC_ALREADY_FINISHED and ends the reader', async () => {
    const queue = new WriteQueue<string>();
    const pending = queue.write('a');
    queue.finish();
    await expect(pending).rejects.toThrow(new InvalidStateError(RPC_ALREADY_FINISHED));
    await expect(queue.write('b')).rejects.toThrow(RPC_ALREADY_FINISHED);
    expect(await queue[Symbol.asyncIterator]().next()).toEqual({ done: true, value: undefined });
  });

  it('a reader that stops (return) finishes the queue', async () => {
    const queue = new WriteQueue<string>();
    const iterator = queue[Symbol.asyncIterator]();
    await iterator.return?.();
    await expect(queue.write('x')).rejects.toThrow(RPC_ALREADY_FINISHED);
  });
});
