// Test-only fixtures. The certificates were made for the tests by certs/gen.sh; never use them
// for anything else.
import { readFileSync } from 'node:fs';

const read = (name) => readFileSync(new URL(`./certs/${name}`, import.meta.url));

/** CA that signed server.pem and client.pem. */
export const caCert = read('ca.pem');
/** Server certificate for localhost / 127.0.0.1, and its key. */
export const serverCert = read('server.pem');
export const serverKey = read('server.key');
/** Client certificate (CN "grpc-aio test client", SAN DNS:client.test), and its key. */
export const clientCert = read('client.pem');
export const clientKey = read('client.key');
/** An unrelated CA, for wrong-CA tests. */
export const otherCaCert = read('other-ca.pem');
/** A server certificate for localhost / 127.0.0.1 signed by the unrelated CA, and its key. */
export const otherServerCert = read('other-server.pem');
export const otherServerKey = read('other-server.key');
