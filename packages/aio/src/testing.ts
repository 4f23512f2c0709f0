// grpc-aio/testing: async fakes for unit-testing grpc-aio application code (Python's grpc_testing):
// the whole of @grpc-aio/testing.
export * from '@grpc-aio/testing';
