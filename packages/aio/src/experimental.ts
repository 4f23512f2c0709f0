// grpc-aio/experimental: the grpc.experimental.aio path of gRPC Python 1.32, kept for code (and
// tests) that still import it that way. The same names, types and values as the root entry.
export * from './index.js';
