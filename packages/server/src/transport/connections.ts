import type { ServerHttp2Session } from 'node:http2';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { type PeerAuth, peerAuth } from '../auth-context.js';
import { type ChannelzServer, dropSocket, newSocket, socketAddress } from '../channelz.js';
import type { CredentialsSpec } from '../credentials.js';
import { formatAddress } from './addresses.js';
import { ConnectionKeeper, type ConnectionSettings } from './connection-keeper.js';
import type { ConnectionInfo } from './http2-call.js';

// What the calls of one connection share, set up when it opens: its peer, its security, and for an
// HTTP/2 session its channelz socket, its keeper (keepalive, pings, idleness, age) and the time
// limit of the client's preface.

/** The peer of a connection in C-core's form. */
export function peerOf(socket: Socket): string {
  return socket.remotePort === undefined && socket.remoteAddress === undefined
    ? 'unix:'
    : formatAddress(socket.remoteAddress, socket.remotePort);
}

const LOCAL_AUTH: PeerAuth = Object.freeze({
  context: Object.freeze({
    transport_security_type: [Buffer.from('local')],
    security_level: [Buffer.from('TSI_PRIVACY_AND_INTEGRITY')],
  }),
  identityKey: undefined,
}) as PeerAuth;

/** The security of a connection, computed when first asked. */
export function lazyPeerAuth(socket: Socket, spec: CredentialsSpec): () => PeerAuth {
  let auth: PeerAuth | undefined;
  return () => {
    if (auth !== undefined) return auth;
    if (spec.kind === 'local') auth = LOCAL_AUTH;
    else if (spec.kind !== 'ssl' && spec.kind !== 'dynamic') auth = peerAuth(false, undefined);
    else {
      const tls = socket as unknown as TLSSocket;
      const certificate = tls.authorized ? tls.getPeerCertificate() : undefined;
      auth = peerAuth(true, certificate !== undefined && 'raw' in certificate ? certificate : undefined);
    }
    return auth;
  };
}

/**
 * What the calls of a new HTTP/2 session share. Lists the session in channelz (until it closes) and
 * destroys it when the client's preface does not come within the handshake timeout.
 */
export function sessionConnection(
  session: ServerHttp2Session,
  spec: CredentialsSpec,
  settings: ConnectionSettings,
  channelz: ChannelzServer | undefined,
): ConnectionInfo {
  const socket = session.socket;
  const secure = spec.kind === 'ssl' || spec.kind === 'dynamic';
  const peer = peerOf(socket);
  const channelzSocket =
    channelz === undefined
      ? undefined
      : newSocket(
          peer,
          socketAddress(socket.localAddress, socket.localPort),
          socketAddress(socket.remoteAddress, socket.remotePort),
        );
  if (channelz !== undefined && channelzSocket !== undefined) {
    channelz.sockets.set(channelzSocket.id, channelzSocket);
    if (secure) channelzSocket.cipher = (socket as unknown as TLSSocket).getCipher?.()?.standardName;
    session.once('close', () => {
      channelz.sockets.delete(channelzSocket.id);
      dropSocket(channelzSocket);
    });
  }
  // The client's preface (its SETTINGS) must come within the handshake timeout; TLS handshakes
  // have the same limit of their own (`handshakeTimeout` in listeners.ts).
  const handshake = settings.handshakeTimeoutMs;
  if (Number.isFinite(handshake)) {
    const preface = setTimeout(() => session.destroy(), handshake).unref();
    session.once('remoteSettings', () => clearTimeout(preface));
    session.once('close', () => clearTimeout(preface));
  }
  return {
    keeper: new ConnectionKeeper(session, settings, channelzSocket),
    channelzServer: channelz,
    channelzSocket,
    peer,
    peerAuth: lazyPeerAuth(socket, spec),
  };
}
