// Child-process peer for the fault tests: a raw @grpc/grpc-js server on 127.0.0.1:<argv[2] or 0>
// with one bytes-in/bytes-out method, /fault.Stream/Ticks: a server stream that sends one message
// per request byte... and then one every 20 ms until cancelled, and /fault.Stream/Echo (unary).
// Prints "PORT <n>" once bound.
import * as grpc from '@grpc/grpc-js';

const bytes = { serialize: (b) => b, deserialize: (b) => b };
const service = {
  Ticks: {
    path: '/fault.Stream/Ticks',
    requestStream: false,
    responseStream: true,
    requestSerialize: bytes.serialize,
    requestDeserialize: bytes.deserialize,
    responseSerialize: bytes.serialize,
    responseDeserialize: bytes.deserialize,
  },
  Echo: {
    path: '/fault.Stream/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: bytes.serialize,
    requestDeserialize: bytes.deserialize,
    responseSerialize: bytes.serialize,
    responseDeserialize: bytes.deserialize,
  },
};
// Exit when the parent goes away (stdin closes), even if it was killed outright.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

const server = new grpc.Server();
server.addService(service, {
  Ticks(call) {
    let n = 0;
    const timer = setInterval(() => call.write(Buffer.from([n++ & 0xff])), 20);
    call.write(Buffer.from([n++]));
    call.on('cancelled', () => clearInterval(timer));
  },
  Echo(call, callback) {
    callback(null, call.request);
  },
});
server.bindAsync(
  `127.0.0.1:${process.argv[2] ?? 0}`,
  grpc.ServerCredentials.createInsecure(),
  (error, port) => {
    if (error) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    process.stdout.write(`PORT ${port}\n`);
  },
);
