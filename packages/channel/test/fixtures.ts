// The TLS fixtures made for the tests (@grpc-aio/test-fixtures).
export { caCert, clientCert, clientKey, otherCaCert, serverCert, serverKey } from '@grpc-aio/test-fixtures';
