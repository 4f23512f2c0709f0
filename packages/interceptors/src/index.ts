// @grpc-aio/interceptors: the client interceptors (./client) and the server interceptors (./server),
// re-exported whole.

export * from './client.js';
export * from './server.js';
