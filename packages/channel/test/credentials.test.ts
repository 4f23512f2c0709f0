import * as grpc from '@grpc/grpc-js';
import { StatusCode } from '@grpc-aio/core';
import { type AioRpcError, CALL_CREDENTIALS_ON_INSECURE_CHANNEL, UsageError } from '@grpc-aio/errors';
import { bytes, Methods, startGrpcJsServer, type TestServer, text } from '@grpc-aio/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuthMetadataContext,
  accessTokenCallCredentials,
  altsChannelCredentials,
  type ClientChannel,
  compositeCallCredentials,
  compositeChannelCredentials,
  computeEngineChannelCredentials,
  insecureChannelCredentials,
  localChannelCredentials,
  metadataCallCredentials,
  secureChannel,
  sslChannelCredentials,
  xdsChannelCredentials,
} from '../src/index.js';
import { caCert, clientCert, clientKey, otherCaCert, serverCert, serverKey } from './fixtures.js';

let tlsServer: TestServer;
let mtlsServer: TestServer;
const channels: ClientChannel[] = [];

beforeAll(async () => {
  tlsServer = await startGrpcJsServer(
    grpc.ServerCredentials.createSsl(null, [{ private_key: serverKey, cert_chain: serverCert }]),
  );
  mtlsServer = await startGrpcJsServer(
    grpc.ServerCredentials.createSsl(caCert, [{ private_key: serverKey, cert_chain: serverCert }], true),
  );
});
afterAll(async () => {
  await tlsServer.close();
  await mtlsServer.close();
});
afterEach(async () => {
  await Promise.all(channels.splice(0).map((channel) => channel.close()));
});

function open(server: TestServer, credentials: Parameters<typeof secureChannel>[1]): ClientChannel {
  const channel = secureChannel(`localhost:${server.port}`, credentials);
  channels.push(channel);
  return channel;
}

describe('credentials', () => {
  it('A2 A71 TLS with the test CA', async () => {
    const channel = open(tlsServer, sslChannelCredentials(caCert));
    expect(text(await channel.unaryUnary(Methods.echo)(bytes('secure')))).toBe('secure');
  });

  it('A71 TLS with the wrong CA fails UNAVAILABLE', async () => {
    const channel = open(tlsServer, sslChannelCredentials(otherCaCert));
    const error = (await channel
      .unaryUnary(Methods.echo)(bytes('x'))
      .then(undefined, (reason: unknown) => reason)) as AioRpcError;
    expect(error.code()).toBe(StatusCode.UNAVAILABLE);
  });

  it('A71 mTLS: with a client certificate it works, without one it fails', async () => {
    const good = open(mtlsServer, sslChannelCredentials(caCert, clientKey, clientCert));
    expect(text(await good.unaryUnary(Methods.echo)(bytes('mutual')))).toBe('mutual');
    const bad = open(mtlsServer, sslChannelCredentials(caCert));
    const error = (await bad
      .unaryUnary(Methods.echo)(bytes('x'))
      .then(undefined, (reason: unknown) => reason)) as AioRpcError;
    expect(error.code()).toBe(StatusCode.UNAVAILABLE);
    expect(() => sslChannelCredentials(caCert, clientKey)).toThrow(
      new TypeError('privateKey and certificateChain must be given together.'),
    );
  });

  it('A71 ssl_target_name_override lets a 127.0.0.1 target check the localhost certificate', async () => {
    const channel = secureChannel(tlsServer.address, sslChannelCredentials(caCert), {
      options: [['grpc.ssl_target_name_override', 'localhost']],
    });
    channels.push(channel);
    expect(text(await channel.unaryUnary(Methods.echo)(bytes('override')))).toBe('override');
  });

  it('A71 per-call access token, metadata plugin (callback and async forms) and composites', async () => {
    const channel = open(tlsServer, sslChannelCredentials(caCert));
    const auth = channel.unaryUnary(Methods.auth);
    expect(text(await auth(bytes(''), { credentials: accessTokenCallCredentials('tok') }))).toBe(
      'Bearer tok',
    );

    const contexts: AuthMetadataContext[] = [];
    const callbackPlugin = metadataCallCredentials((context, callback) => {
      contexts.push(context);
      callback([['authorization', 'from-callback']], null);
    }, 'callback');
    expect(text(await auth(bytes(''), { credentials: callbackPlugin }))).toBe('from-callback');
    expect(contexts).toEqual([{ serviceUrl: 'https://localhost/test.Test', methodName: 'Auth' }]);

    const asyncPlugin = metadataCallCredentials(async () => [['authorization', 'from-async']]);
    expect(text(await auth(bytes(''), { credentials: asyncPlugin }))).toBe('from-async');

    const extra = metadataCallCredentials(async () => [['x-extra', 'e']]);
    const both = compositeCallCredentials(accessTokenCallCredentials('a'), extra);
    expect(text(await auth(bytes(''), { credentials: both }))).toBe('Bearer a');
    expect(tlsServer.observed.metadata.get(Methods.auth)?.get('x-extra')).toEqual(['e']);

    const composed = open(
      tlsServer,
      compositeChannelCredentials(sslChannelCredentials(caCert), callbackPlugin),
    );
    expect(text(await composed.unaryUnary(Methods.auth)(bytes('')))).toBe('from-callback');
  });

  it('A71 a plugin error fails the call', async () => {
    const channel = open(tlsServer, sslChannelCredentials(caCert));
    const failing = metadataCallCredentials((_context, callback) => callback(null, new Error('no token')));
    const call = channel.unaryUnary(Methods.auth)(bytes(''), { credentials: failing });
    const error = (await call.then(undefined, (reason: unknown) => reason)) as AioRpcError;
    expect(error.code()).toBe(StatusCode.UNKNOWN);
    expect(error.details()).toBe('Getting metadata from plugin failed with error: no token');
  });

  it('A2 call credentials need secure channel credentials', () => {
    const channel = secureChannel(tlsServer.address, insecureChannelCredentials());
    channels.push(channel);
    expect(() =>
      channel.unaryUnary(Methods.auth)(bytes(''), { credentials: accessTokenCallCredentials('t') }),
    ).toThrow(new UsageError(CALL_CREDENTIALS_ON_INSECURE_CHANNEL));
    expect(CALL_CREDENTIALS_ON_INSECURE_CHANNEL).toBe('Call credentials are only valid on secure channels');
    expect(() =>
      compositeChannelCredentials(insecureChannelCredentials(), accessTokenCallCredentials('t')),
    ).toThrow(new TypeError('Call credentials can only be composed with secure channel credentials.'));
    expect(insecureChannelCredentials()).toMatchObject({ credentialsKind: 'channel', secure: false });
    expect(accessTokenCallCredentials('t')).toMatchObject({ credentialsKind: 'call' });
  });

  it('A71 credentials grpc-js lacks throw a clear error', () => {
    expect(() => localChannelCredentials()).toThrow(
      new UsageError('localChannelCredentials is not supported on grpc-js.'),
    );
    expect(() => altsChannelCredentials()).toThrow(
      new UsageError('altsChannelCredentials is not supported on grpc-js.'),
    );
    expect(() => computeEngineChannelCredentials()).toThrow(
      new UsageError('computeEngineChannelCredentials is not supported on grpc-js.'),
    );
    expect(() => xdsChannelCredentials()).toThrow(
      new UsageError('xdsChannelCredentials is not supported on grpc-js.'),
    );
  });

  it('foreign credential objects are a TypeError', () => {
    expect(() => secureChannel('localhost:1', { credentialsKind: 'channel', secure: true })).toThrow(
      TypeError,
    );
  });
});
