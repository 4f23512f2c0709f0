import { type Compression, compressionName } from '@grpc-aio/core';
import { COMPRESSION_WARNING, COMPRESSION_WARNING_CODE } from './messages.js';

let warned = false;

/**
 * grpc-js cannot compress server responses. Asking for it must not be silent: warn once per process
 * (process.emitWarning, code {@link COMPRESSION_WARNING_CODE}). NoCompression needs no warning.
 */
export function warnResponseCompressionUnsupported(compression: Compression): void {
  if (warned || compression === 0) return;
  warned = true;
  process.emitWarning(`${COMPRESSION_WARNING} (asked for ${compressionName(compression) ?? compression})`, {
    type: 'GrpcAioWarning',
    code: COMPRESSION_WARNING_CODE,
  });
}
