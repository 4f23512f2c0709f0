// @grpc-aio/testing: async fakes for unit-testing grpc-aio application code (Python's grpc_testing).

// Fake channel: the test plays the server.
export { FakeChannel, fakeChannel } from './fake-channel.js';
export type {
  FakeChannelOptions,
  FakeHandler,
  FakeHandlerContext,
  MethodCodecs,
  RpcKind,
  StreamStreamChannelRpc,
  StreamUnaryChannelRpc,
  TakenStreamRequest,
  TakenUnaryRequest,
  TakeOptions,
  UnaryStreamChannelRpc,
  UnaryUnaryChannelRpc,
} from './fake-channel-types.js';
export { DEFAULT_TAKE_TIMEOUT, FAKE_DEADLINE_EXCEEDED, FAKE_PEER } from './fake-channel-types.js';
// Real loopback server and channel, for integration tests.
export type { Loopback, LoopbackOptions } from './loopback.js';
export { startLoopback, withServer } from './loopback.js';
export type { MethodRef } from './method-ref.js';
// Servicer harness: the test plays the client.
export {
  FAKE_CLIENT_PEER,
  FakeServer,
  serverFromHandlers,
} from './servicer-harness.js';
export type {
  InvokeOptions,
  ServerHarnessOptions,
  ServicerMap,
  StreamStreamServerRpc,
  StreamUnaryServerRpc,
  Termination,
  UnaryStreamServerRpc,
  UnaryUnaryServerRpc,
} from './servicer-harness-types.js';
export { REQUESTS_ALREADY_CLOSED } from './servicer-harness-types.js';
// Time.
export type { ScheduledCall, Time } from './time.js';
export { FakeTime, strictFakeTime, strictRealTime } from './time.js';
