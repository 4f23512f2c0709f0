// Test doubles and helpers shared by the tests of the lower grpc-aio packages. Private: imported by
// tests only, never by a package's production code.

// Waiting and draining.
export { aborted, collect, deferred, until } from './async.js';
// Messages as strings.
export { bytes, identity, text } from './bytes.js';
// Fakes of core's contracts.
export type { CallStart, MadeCallable, Script } from './fake-channel.js';
export { FakeCall, FakeChannel } from './fake-channel.js';
export { FakeContext } from './fake-context.js';
export { fakeServer } from './fake-server.js';
// Raw @grpc/grpc-js peers: a client for the server's tests, a server for the client's tests.
export type { GrpcJsCallOptions, Outcome } from './grpc-js-client.js';
export { bidi, clientStream, closeClients, newClient, serverStream, unary } from './grpc-js-client.js';
export type { TestServer } from './grpc-js-server.js';
export { bytesMethod, Methods, startGrpcJsServer } from './grpc-js-server.js';
