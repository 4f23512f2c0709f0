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

  it('A79 channelz: GetServer, GetServerSockets and GetSocket describe the grpc-aio server and its connection', async () => {
    const channel = insecureChannel(`127.0.0.1:${port}`);
    try {
      const call = async <T>(name: string, request: object): Promise<T> => {
        const method = definition[name];
        if (method === undefined) throw new Error(`no channelz method ${name}`);
        return await channel.unaryUnary(
          method.path,
          (message: object) => method.requestSerialize(message),
          (bytes) => method.responseDeserialize(Buffer.from(bytes)) as T,
        )(request, { timeout: 5 });
      };
      type ServerMessage = {
        ref: { server_id: string };
        data: { calls_started: string; calls_succeeded: string };
        listen_socket: { socket_id: string; name: string }[];
      };
      const { server: servers } = await call<{ server: ServerMessage[] }>('GetServers', {
        start_server_id: 0,
      });
      const ours = servers.find((entry) =>
        entry.listen_socket.some((socket) => socket.name.endsWith(`:${port}`)),
      );
      expect(ours).toBeDefined();
      const { server: one } = await call<{ server: ServerMessage }>('GetServer', {
        server_id: ours?.ref.server_id,
      });
      expect(Number(one.data.calls_started)).toBeGreaterThanOrEqual(2);
      expect(Number(one.data.calls_succeeded)).toBeGreaterThanOrEqual(1);
      const { socket_ref: sockets } = await call<{ socket_ref: { socket_id: string; name: string }[] }>(
        'GetServerSockets',
        { server_id: ours?.ref.server_id, start_socket_id: 0 },
      );
      expect(sockets.length).toBeGreaterThanOrEqual(1);
      expect(sockets[0]?.name).toMatch(/^ipv4:127\.0\.0\.1:\d+$/);
      const { socket } = await call<{
        socket: { data: { streams_started: string; messages_received: string }; local: { address: string } };
      }>('GetSocket', { socket_id: sockets[0]?.socket_id });
      expect(Number(socket.data.streams_started)).toBeGreaterThanOrEqual(1);
      expect(Number(socket.data.messages_received)).toBeGreaterThanOrEqual(1);
      expect(socket.local.address).toBe('tcpip_address');
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
