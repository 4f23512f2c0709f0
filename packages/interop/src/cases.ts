// The interop client cases (doc/interop-test-descriptions.md) on grpc-aio's channel. Each case
// throws (node:assert) when the server under test does not behave as the description says.
import assert from 'node:assert/strict';
import type { ClientChannel } from '@grpc-aio/channel';
import { Compression, EOF, StatusCode } from '@grpc-aio/core';
import { AioRpcError, CancelledError } from '@grpc-aio/errors';
import { stub } from '@grpc-aio/protos';
import { bodySize, TestService, UnimplementedService, zeros } from './proto.js';
import { ECHO_INITIAL, ECHO_TRAILING } from './test-service.js';

/** The status message of special_status_message (whitespace, BMP and non-BMP characters). */
const SPECIAL_STATUS_MESSAGE = '\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n';

/** What a case gets: the channel to the server under test. */
export interface CaseContext {
  channel: ClientChannel;
}

async function rejects(
  promise: PromiseLike<unknown>,
  code: StatusCode,
  details?: string,
): Promise<AioRpcError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AioRpcError, `expected AioRpcError, got ${String(error)}`);
    assert.equal(error.code(), code, `expected code ${code}, got ${error.code()} (${error.details()})`);
    if (details !== undefined) assert.equal(error.details(), details);
    return error;
  }
  assert.fail(`expected status ${code}, the call succeeded`);
}

const ts = (channel: ClientChannel) => stub(channel, TestService);

/** Every client case, by interop name. */
export const CLIENT_CASES: Record<string, (ctx: CaseContext) => Promise<void>> = {
  async empty_unary({ channel }) {
    assert.deepEqual(await ts(channel).EmptyCall({}), {});
  },
  async large_unary({ channel }) {
    const reply = await ts(channel).UnaryCall({ responseSize: 314159, payload: { body: zeros(271828) } });
    assert.equal(bodySize(reply.payload), 314159);
    assert.ok(reply.payload.body.every((b: number) => b === 0));
  },
  async client_streaming({ channel }) {
    const call = ts(channel).StreamingInputCall();
    for (const size of [27182, 8, 1828, 45904]) await call.write({ payload: { body: zeros(size) } });
    await call.doneWriting();
    assert.equal((await call).aggregatedPayloadSize, 74922);
  },
  async server_streaming({ channel }) {
    const sizes = [31415, 9, 2653, 58979];
    const got: number[] = [];
    for await (const reply of ts(channel).StreamingOutputCall({
      responseParameters: sizes.map((size) => ({ size })),
    }))
      got.push(bodySize(reply.payload));
    assert.deepEqual(got, sizes);
  },
  async ping_pong({ channel }) {
    const requests = [27182, 8, 1828, 45904];
    const responses = [31415, 9, 2653, 58979];
    const call = ts(channel).FullDuplexCall();
    for (let i = 0; i < requests.length; i++) {
      await call.write({
        responseParameters: [{ size: responses[i] }],
        payload: { body: zeros(requests[i]!) },
      });
      const reply = await call.read();
      assert.notEqual(reply, EOF);
      assert.equal(bodySize(reply.payload), responses[i]);
    }
    await call.doneWriting();
    assert.equal(await call.read(), EOF);
    assert.equal(await call.code(), StatusCode.OK);
  },
  async empty_stream({ channel }) {
    const call = ts(channel).FullDuplexCall();
    await call.doneWriting();
    assert.equal(await call.read(), EOF);
    assert.equal(await call.code(), StatusCode.OK);
  },
  async timeout_on_sleeping_server({ channel }) {
    const call = ts(channel).FullDuplexCall(undefined, { timeout: 0.001 });
    // The write may fail once the deadline passed; the status is what counts.
    await call.write({ payload: { body: zeros(27182) } }).catch(() => undefined);
    assert.equal(await call.code(), StatusCode.DEADLINE_EXCEEDED);
  },
  async cancel_after_begin({ channel }) {
    const call = ts(channel).StreamingInputCall();
    assert.equal(call.cancel(), true);
    await assert.rejects(Promise.resolve(call), CancelledError);
    assert.equal(await call.code(), StatusCode.CANCELLED);
  },
  async cancel_after_first_response({ channel }) {
    const call = ts(channel).FullDuplexCall();
    await call.write({ responseParameters: [{ size: 31415 }], payload: { body: zeros(27182) } });
    const reply = await call.read();
    assert.equal(bodySize(reply.payload), 31415);
    assert.equal(call.cancel(), true);
    assert.equal(await call.code(), StatusCode.CANCELLED);
  },
  async status_code_and_message({ channel }) {
    const responseStatus = { code: 2, message: 'test status message' };
    await rejects(ts(channel).UnaryCall({ responseStatus }), StatusCode.UNKNOWN, 'test status message');
    const call = ts(channel).FullDuplexCall();
    await call.write({ responseStatus });
    await call.doneWriting();
    assert.equal(await call.code(), StatusCode.UNKNOWN);
    assert.equal(await call.details(), 'test status message');
  },
  async special_status_message({ channel }) {
    await rejects(
      ts(channel).UnaryCall({ responseStatus: { code: 2, message: SPECIAL_STATUS_MESSAGE } }),
      StatusCode.UNKNOWN,
      SPECIAL_STATUS_MESSAGE,
    );
  },
  async custom_metadata({ channel }) {
    const metadata: [string, string | Buffer][] = [
      [ECHO_INITIAL, 'test_initial_metadata_value'],
      [ECHO_TRAILING, Buffer.from([0xab, 0xab, 0xab])],
    ];
    const unary = ts(channel).UnaryCall(
      { responseSize: 314159, payload: { body: zeros(271828) } },
      { metadata },
    );
    await unary;
    assert.equal((await unary.initialMetadata()).get(ECHO_INITIAL), 'test_initial_metadata_value');
    assert.deepEqual(
      Buffer.from((await unary.trailingMetadata()).get(ECHO_TRAILING)),
      Buffer.from([0xab, 0xab, 0xab]),
    );
    const call = ts(channel).FullDuplexCall(undefined, { metadata });
    await call.write({ responseParameters: [{ size: 314159 }], payload: { body: zeros(271828) } });
    assert.equal(bodySize((await call.read()).payload), 314159);
    await call.doneWriting();
    assert.equal(await call.read(), EOF);
    assert.equal((await call.initialMetadata()).get(ECHO_INITIAL), 'test_initial_metadata_value');
    assert.deepEqual(
      Buffer.from((await call.trailingMetadata()).get(ECHO_TRAILING)),
      Buffer.from([0xab, 0xab, 0xab]),
    );
  },
  async unimplemented_method({ channel }) {
    await rejects(ts(channel).UnimplementedCall({}), StatusCode.UNIMPLEMENTED);
  },
  async unimplemented_service({ channel }) {
    await rejects(stub(channel, UnimplementedService).UnimplementedCall({}), StatusCode.UNIMPLEMENTED);
  },
  // The expect_compressed probe (an uncompressed request that must fail INVALID_ARGUMENT) is left
  // out: no server here can see whether a request was compressed (see README).
  async client_compressed_unary({ channel }) {
    const reply = await ts(channel).UnaryCall(
      { responseSize: 314159, payload: { body: zeros(271828) } },
      { compression: Compression.Gzip },
    );
    assert.equal(bodySize(reply.payload), 314159);
  },
  async client_compressed_streaming({ channel }) {
    const call = ts(channel).StreamingInputCall(undefined, { compression: Compression.Gzip });
    await call.write({ payload: { body: zeros(27182) } });
    await call.write({ payload: { body: zeros(45904) } });
    await call.doneWriting();
    assert.equal((await call).aggregatedPayloadSize, 73086);
  },
  // The client cannot see whether a response was compressed (grpc-js decompresses silently): these
  // check that asking for compressed responses works end to end.
  async server_compressed_unary({ channel }) {
    for (const value of [true, false]) {
      const reply = await ts(channel).UnaryCall({
        responseSize: 314159,
        payload: { body: zeros(271828) },
        responseCompressed: { value },
      });
      assert.equal(bodySize(reply.payload), 314159);
    }
  },
  async server_compressed_streaming({ channel }) {
    const got: number[] = [];
    for await (const reply of ts(channel).StreamingOutputCall({
      responseParameters: [
        { size: 31415, compressed: { value: true } },
        { size: 92653, compressed: { value: false } },
      ],
    }))
      got.push(bodySize(reply.payload));
    assert.deepEqual(got, [31415, 92653]);
  },
};

/** The grpc.aio spec items (A-ids of docs/spec/grpc-aio-api.md) each case exercises, for test names. */
export const CASE_IDS: Record<string, string> = {
  empty_unary: 'A24',
  large_unary: 'A24',
  client_streaming: 'A26',
  server_streaming: 'A25',
  ping_pong: 'A27',
  empty_stream: 'A27',
  timeout_on_sleeping_server: 'A35',
  cancel_after_begin: 'A20',
  cancel_after_first_response: 'A20',
  status_code_and_message: 'A10 A51',
  special_status_message: 'A10 A51',
  custom_metadata: 'A17 A50 A53',
  unimplemented_method: 'A48',
  unimplemented_service: 'A48',
  client_compressed_unary: 'A32 A70',
  client_compressed_streaming: 'A34 A70',
  server_compressed_unary: 'A57',
  server_compressed_streaming: 'A57',
};

/** Case names in the order of the interop description. */
export const CASE_NAMES = Object.keys(CLIENT_CASES);
