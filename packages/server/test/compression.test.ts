import { Compression, StatusCode } from '@grpc-aio/core';
import { bytes, text, unary } from '@grpc-aio/test-support';
import { describe, expect, it } from 'vitest';
import {
  COMPRESSION_AFTER_METADATA,
  methodHandlersGenericHandler,
  server,
  unaryUnaryRpcMethodHandler,
} from '../src/index.js';
import { startServer, track } from './helpers.js';

describe('response compression: setCompression rules', () => {
  it('A57 setCompression after metadata is a UsageError; an unknown value is a TypeError', async () => {
    const errors: unknown[] = [];
    const { client } = await startServer((srv) =>
      srv.addGenericRpcHandlers([
        methodHandlersGenericHandler('t.S', {
          M: unaryUnaryRpcMethodHandler(
            async (_r: string, context) => {
              context.setCompression(Compression.Deflate);
              context.disableNextMessageCompression();
              await context.sendInitialMetadata([]);
              try {
                context.setCompression(Compression.Gzip);
              } catch (error) {
                errors.push(error);
              }
              try {
                context.setCompression(7 as Compression);
              } catch (error) {
                errors.push(error);
              }
              return 'sent';
            },
            text,
            bytes,
          ),
        }),
      ]),
    );
    const outcome = await unary(client, '/t.S/M', 'x');
    expect(outcome.status.code).toBe(StatusCode.OK);
    expect(outcome.responses).toEqual(['sent']);
    expect((errors[0] as Error).message).toBe(COMPRESSION_AFTER_METADATA);
    // Python's text (a RuntimeError there).
    expect(COMPRESSION_AFTER_METADATA).toBe(
      'Compression setting must be specified before sending initial metadata',
    );
    expect(errors[1]).toBeInstanceOf(TypeError);
    expect(() => track(server({ compression: 9 as Compression }))).toThrow(TypeError);
  });
});
