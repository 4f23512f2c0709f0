#!/usr/bin/env node
// Check of a fixed bug: N un-awaited write()s on a grpc-aio client stream. Expected: all N resolve
// and the call completes (the bug: only the first write resolved and the call hung; regression tests
// in packages/channel/test). Run from packages/bench after building: node proposals/unawaited-writes-repro.mjs
import { insecureChannel } from '@grpc-aio/channel';
import { decode, encode, MESSAGE, METHODS } from '../src/codec.mjs';
import { startServer } from '../src/impls/grpcjs.mjs';

const server = await startServer();
const channel = insecureChannel(`127.0.0.1:${server.port}`);
const clientStream = channel.streamUnary(METHODS.clientStream, encode, decode);
let failed = false;
for (const count of [2, 10, 1000]) {
  const call = clientStream();
  let resolved = 0;
  const writes = Array.from({ length: count }, () => call.write(MESSAGE).then(() => resolved++));
  const outcome = await Promise.race([
    Promise.all(writes).then(async () => {
      await call.doneWriting();
      await call;
      return 'ok';
    }),
    new Promise((resolve) => setTimeout(() => resolve('timeout'), 3000)),
  ]);
  console.log(
    `${count} un-awaited writes: ${outcome === 'ok' ? 'ok' : `HANG, ${resolved}/${count} write() promises resolved after 3 s`}`,
  );
  if (outcome !== 'ok') {
    failed = true;
    call.cancel();
  }
}
await channel.close();
await server.stop();
process.exitCode = failed ? 1 : 0;
