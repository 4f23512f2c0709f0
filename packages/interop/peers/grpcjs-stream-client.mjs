// Child-process peer for the fault tests: a raw @grpc/grpc-js client that opens a bidi stream to
// 127.0.0.1:<argv[2]><argv[3] (method path)>, writes one message, prints "STARTED" once the first
// response arrives, then waits to be killed. Exits when stdin closes (its parent went away).
import * as grpc from '@grpc/grpc-js';

process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

const client = new grpc.Client(`127.0.0.1:${process.argv[2]}`, grpc.credentials.createInsecure());
const call = client.makeBidiStreamRequest(
  process.argv[3],
  (b) => b,
  (b) => b,
);
call.on('error', () => undefined);
call.once('data', () => process.stdout.write('STARTED\n'));
call.write(Buffer.from([1]));
