// node src/micro-iterator.mjs DIST_DIR: the response iterator of a grpc-aio UnaryStreamCall over a fake
// transport (no network, one process), CPU µs per message; DIST_DIR is a channel dist folder.
const dir = process.argv[2];
const { UnaryStreamCallImpl } = await import(`${dir}/internal.mjs`);
const N = 200000;
const payload = Buffer.alloc(100, 7);
async function once() {
  let listener;
  const transport = {
    start(_m, l) {
      listener = l;
    },
    sendMessage(_b, cb) {
      cb();
    },
    halfClose() {},
    startRead() {},
    cancel() {},
    getPeer() {
      return '';
    },
  };
  const call = new UnaryStreamCallImpl({ transport }, {}, Buffer.alloc(1));
  const produce = (async () => {
    for (let i = 0; i < N; i++) {
      listener.onTransportMessage(payload);
      if (i % 64 === 63) await new Promise((r) => setImmediate(r));
    }
    listener.onTransportStatus({ code: 0, details: '', metadata: {} });
  })();
  const cpu = process.cpuUsage();
  let n = 0;
  for await (const _ of call) n++;
  await produce;
  const used = process.cpuUsage(cpu);
  if (n !== N) throw new Error(`got ${n}`);
  return (used.user + used.system) / N; // µs per message
}
for (let i = 0; i < 3; i++) await once(); // warm-up
const runs = [];
for (let i = 0; i < 7; i++) runs.push(await once());
runs.sort((a, b) => a - b);
console.log(`${dir}: median ${runs[3].toFixed(3)} µs/msg (min ${runs[0].toFixed(3)})`);
