import { Compression, StatusCode } from '@grpc-aio/core';
import { describe, expect, it, vi } from 'vitest';
import {
  COMPRESSION_AFTER_METADATA,
  COMPRESSION_WARNING_CODE,
  methodHandlersGenericHandler,
  server,
  unaryUnaryRpcMethodHandler,
} from '../src/index.js';
import { decode, encode, startServer, track, unary } from './helpers.js';

describe('response compression (not available on grpc-js)', () => {
  it('A57 asking for it warns once per process; setCompression after metadata is a UsageError', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      track(server({ compression: Compression.NoCompression }));
      expect(warn).not.toHaveBeenCalled();
      track(server({ compression: Compression.Gzip }));
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]?.[0]).toMatchInlineSnapshot(
        `"grpc-js cannot compress server responses: responses are sent uncompressed (requests compressed by clients are still accepted). (asked for Gzip)"`,
      );
      expect(warn.mock.calls[0]?.[1]).toEqual({ type: 'GrpcAioWarning', code: COMPRESSION_WARNING_CODE });
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
                return 'uncompressed';
              },
              decode,
              encode,
            ),
          }),
        ]),
      );
      const outcome = await unary(client, '/t.S/M', 'x');
      expect(outcome.status.code).toBe(StatusCode.OK);
      expect(outcome.responses).toEqual(['uncompressed']);
      expect(warn).toHaveBeenCalledTimes(1);
      expect((errors[0] as Error).message).toBe(COMPRESSION_AFTER_METADATA);
      expect(errors[1]).toBeInstanceOf(TypeError);
      expect(() => server({ compression: 9 as Compression })).toThrow(TypeError);
    } finally {
      warn.mockRestore();
    }
  });
});
