// The texts of the problems the transport finds in a call: C-core's for the deadline and the size
// limits (src/core/lib/surface/call.cc); ours where C-core has none (it drops a truncated message and
// takes a compressed flag without an encoding as plain bytes, where this transport refuses them).
export { DEADLINE_EXCEEDED as DEADLINE_EXCEEDED_DETAILS } from '@grpc-aio/errors';
export const receivedTooLarge = (length: number | string, limit: number): string =>
  `Received message larger than max (${length} vs. ${limit})`;
export const sentTooLarge = (length: number, limit: number): string =>
  `Sent message larger than max (${length} vs. ${limit})`;
export const COMPRESSED_WITHOUT_ENCODING =
  'Received a compressed message but no grpc-encoding was given for the call';
export const badFlag = (flag: number): string =>
  `Received a message with an invalid compressed flag (${flag})`;
export const TRUNCATED_MESSAGE = 'Received an incomplete message: the request stream ended inside it';
export const decompressFailed = (algorithm: string, error: Error): string =>
  `Failed to decompress a ${algorithm} message: ${error.message}`;
