import { EOF, isStatusCode, StatusCode } from '@grpc-aio/core';
import { ABORT_ALREADY_CALLED, AbortError, LOCALLY_ABORTED, UsageError } from '@grpc-aio/errors';
import { Metadata } from '@grpc-aio/metadata';
import { WRITE_ON_UNARY_RESPONSE } from '@grpc-aio/server';
import type { FakeHandler, FakeHandlerContext } from './fake-channel-types.js';
import type { FakeRpc } from './fake-rpc.js';
import { thrownStatus } from './thrown-status.js';

// The scripted mode of the fake channel (FakeChannel.handle): runs a FakeHandler on one RPC, with
// a FakeHandlerContext over it, and ends the RPC as the handler's return, yields or throw say.

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
  );
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function'
  );
}

export function startHandler(rpc: FakeRpc, handler: FakeHandler): void {
  runHandler(rpc, handler).catch((error: unknown) => {
    // runHandler catches what the handler throws; this is a bug of the fake, not of the test.
    console.error(`@grpc-aio/testing: the fake handler of ${rpc.method} failed:`, error);
  });
}

async function runHandler(rpc: FakeRpc, handler: FakeHandler): Promise<void> {
  const unaryRequest = rpc.kind === 'unaryUnary' || rpc.kind === 'unaryStream';
  const unaryResponse = rpc.kind === 'unaryUnary' || rpc.kind === 'streamUnary';
  let code: StatusCode | undefined;
  let details: string | undefined;
  let trailing: Metadata | undefined;
  let aborted = false;
  const context: FakeHandlerContext = {
    method: rpc.method,
    invocationMetadata: () => rpc.invocationMetadata,
    timeRemaining: () => rpc.timeRemaining(),
    get signal() {
      return rpc.signal;
    },
    cancelled: () => rpc.isCancelled(),
    sendInitialMetadata: (metadata) => rpc.sendInitialMetadata(metadata),
    write: (response) => {
      if (unaryResponse) throw new UsageError(WRITE_ON_UNARY_RESPONSE);
      rpc.sendResponse(response);
    },
    setTrailingMetadata: (metadata) => {
      trailing = Metadata.from(metadata);
    },
    setCode: (value) => {
      if (!isStatusCode(value)) throw new TypeError(`setCode() needs a StatusCode, got ${String(value)}.`);
      code = value;
    },
    setDetails: (value) => {
      details = value;
    },
    abort: (value, abortDetails = '', metadata) => {
      if (aborted) throw new UsageError(ABORT_ALREADY_CALLED);
      aborted = true;
      const abortTrailers = metadata === undefined ? undefined : Metadata.from(metadata);
      endWith(
        value,
        abortDetails === '' ? (details ?? '') : abortDetails,
        abortTrailers?.size ? abortTrailers : trailing,
      );
      throw new AbortError(LOCALLY_ABORTED);
    },
  };
  const endWith = (
    statusCode: StatusCode,
    statusDetails: string,
    metadata: Metadata | undefined,
    response?: unknown,
  ) => {
    if (rpc.terminated) return;
    if (unaryResponse) rpc.terminate(response, metadata, statusCode, statusDetails);
    else rpc.terminate(metadata, statusCode, statusDetails);
  };
  try {
    let argument: unknown;
    if (unaryRequest) {
      argument = await rpc.nextRequest();
    } else {
      argument = {
        [Symbol.asyncIterator]: () => ({
          next: async () => {
            const request = await rpc.nextRequest();
            return request === EOF ? { done: true, value: undefined } : { done: false, value: request };
          },
        }),
      };
    }
    let result = handler(argument, context);
    if (unaryResponse) {
      const response = await result;
      if (code !== undefined && code !== StatusCode.OK) endWith(code, details ?? '', trailing);
      else endWith(StatusCode.OK, details ?? '', trailing, response);
      return;
    }
    if (!isAsyncIterable(result) && typeof (result as PromiseLike<unknown>)?.then === 'function')
      result = await result;
    if (isAsyncIterable(result) || isIterable(result)) {
      for await (const response of result as AsyncIterable<unknown>) {
        if (rpc.terminated) break;
        rpc.sendResponse(response);
      }
    }
    endWith(code ?? StatusCode.OK, details ?? '', trailing);
  } catch (error) {
    if (error instanceof AbortError && aborted) return;
    if (code !== undefined && code !== StatusCode.OK) {
      endWith(code, details ?? '', trailing);
      return;
    }
    const status = thrownStatus(error);
    endWith(
      status.code,
      status.details,
      status.trailingMetadata.size > 0 ? status.trailingMetadata : trailing,
    );
  }
}
