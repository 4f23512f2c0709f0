// The protos tests' view of test-support's FakeChannel: a call sends its requests through the codecs
// the stub passed (the channel records the bytes), and `respond(path, request bytes)` answers with
// response bytes, which the call decodes with the stub's deserializer.
import type { Channel } from '@grpc-aio/core';
import { FakeChannel, type MadeCallable } from '@grpc-aio/test-support';

export function fakeChannel(respond: (path: string, requests: Uint8Array[]) => Uint8Array[]): {
  channel: Channel;
  made: MadeCallable[];
} {
  const channel = new FakeChannel(({ callable: { method, serializer, deserializer, sent } }) => {
    if (!serializer || !deserializer) throw new Error('the fake channel expects codecs');
    return { respond: () => respond(method, sent).map((bytes) => deserializer(bytes)) };
  });
  return { channel, made: channel.made };
}
