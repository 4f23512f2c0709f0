import * as grpc from '@grpc/grpc-js';
import { insecureChannel } from '@grpc-aio/channel';
import { server } from '@grpc-aio/server';
import { addAdminServicers, addChannelzServicer } from '@grpc-aio/server/admin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('admin services', () => {
  const definition = grpc.getChannelzServiceDefinition();
  let srv: ReturnType<typeof server>;
  let port: number;
  beforeAll(async () => {
    srv = server();
    addChannelzServicer(srv);
    port = await srv.addInsecurePort('127.0.0.1:0');
    await srv.start();
  });
  afterAll(() => srv.stop(null));

  it('A79 addChannelzServicer serves grpc.channelz.v1.Channelz: GetServers lists this server', async () => {
    const channel = insecureChannel(`127.0.0.1:${port}`);
    try {
      const getServers = channel.unaryUnary(
        definition.GetServers.path,
        (message: object) => definition.GetServers.requestSerialize(message),
        (bytes) =>
          definition.GetServers.responseDeserialize(Buffer.from(bytes)) as {
            server: { listen_socket: { name: string }[] }[];
          },
      );
      const response = await getServers({ start_server_id: 0, max_results: 100 }, { timeout: 5 });
      const names = response.server.flatMap((entry) => entry.listen_socket.map((socket) => socket.name));
      expect(names.some((name) => name.endsWith(`:${port}`))).toBe(true);
      const getTopChannels = channel.unaryUnary(
        definition.GetTopChannels.path,
        (message: object) => definition.GetTopChannels.requestSerialize(message),
        (bytes) =>
          definition.GetTopChannels.responseDeserialize(Buffer.from(bytes)) as { channel: unknown[] },
      );
      expect((await getTopChannels({ start_channel_id: 0 }, { timeout: 5 })).channel.length).toBeGreaterThan(
        0,
      );
    } finally {
      await channel.close();
    }
  });

  it('A79 errors of an admin handler reach the client as their status', async () => {
    const channel = insecureChannel(`127.0.0.1:${port}`);
    try {
      const getChannel = channel.unaryUnary(
        definition.GetChannel.path,
        (message: object) => definition.GetChannel.requestSerialize(message),
        (bytes) => definition.GetChannel.responseDeserialize(Buffer.from(bytes)),
      );
      await expect(getChannel({ channel_id: 999_999 }, { timeout: 5 })).rejects.toMatchObject({
        message: expect.stringContaining('StatusCode.NOT_FOUND'),
      });
    } finally {
      await channel.close();
    }
  });

  it('A79 addAdminServicers registers every grpc-js admin service (channelz at least)', async () => {
    const admin = server();
    const seen: string[] = [];
    const original = admin.addRegisteredMethodHandlers.bind(admin);
    admin.addRegisteredMethodHandlers = (name, handlers) => {
      seen.push(name);
      original(name, handlers);
    };
    addAdminServicers(admin);
    expect(seen).toContain('grpc.channelz.v1.Channelz');
    await admin.stop(null);
  });
});
