// The TLS certificates of @grpc-aio/test-fixtures. The vitest alias sends every @grpc-aio/<name> to
// packages/<name>/src/index.ts, which that plain-JS package does not have, so the file is found with
// Node's own resolver and imported by URL.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

type Fixtures = typeof import('@grpc-aio/test-fixtures');

const resolved = createRequire(import.meta.url).resolve('@grpc-aio/test-fixtures');
const fixtures = (await import(/* @vite-ignore */ pathToFileURL(resolved).href)) as Fixtures;

export const {
  caCert,
  clientCert,
  clientKey,
  otherCaCert,
  otherServerCert,
  otherServerKey,
  serverCert,
  serverKey,
} = fixtures;
