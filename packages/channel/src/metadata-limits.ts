import type { Metadata } from '@grpc-aio/metadata';

// How much request metadata a call may send: HTTP/2 servers reset a stream whose header block is
// larger than they take, so a call whose metadata is over the limits fails before anything is sent,
// saying why.

/** The channel option that sets the largest request metadata a call may send, in bytes. */
export const MAX_SEND_METADATA_SIZE_OPTION = 'grpc-aio.max_send_metadata_size';
/**
 * The default of {@link MAX_SEND_METADATA_SIZE_OPTION}: 128 KiB in all. Measured from a grpc-js
 * client (Node 20): Node's HTTP/2 servers (grpc-js's, grpc-aio's, plain node:http2) accept at least
 * 147 KiB of HPACK-encoded request headers in all, but at most {@link MAX_SEND_METADATA_ENTRY_SIZE}
 * in one field. Past either they reset the stream (grpc-js reports INTERNAL "Received RST_STREAM
 * with code 9"), so such a call fails before anything is sent, with a message that says why.
 * C-core servers (Python, C++) refuse more than 8 KiB by default, with RESOURCE_EXHAUSTED.
 */
export const DEFAULT_MAX_SEND_METADATA_SIZE = 128 * 1024;
/**
 * The largest metadata entry (key + value as sent, `-bin` values as base64) a call may send while
 * {@link MAX_SEND_METADATA_SIZE_OPTION} is not set: 65,536 bytes, the most nghttp2 (Node's HTTP/2)
 * decodes in one header field (HPACK-encoded; Huffman coding, which grpc-js applies, can fit a
 * little more text). Setting the option sets this limit too.
 */
export const MAX_SEND_METADATA_ENTRY_SIZE = 65_536;

/**
 * Size of metadata as HTTP/2 counts a header list (RFC 9113: name + value + 32 per field), and its
 * largest entry (name + value), both with `-bin` values as base64.
 */
function headerListSize(metadata: Metadata): { total: number; largest: number; largestKey: string } {
  let total = 0;
  let largest = 0;
  let largestKey = '';
  for (const [key, value] of metadata) {
    const entry =
      key.length + (typeof value === 'string' ? value.length : Math.ceil(value.byteLength / 3) * 4);
    total += entry + 32;
    if (entry > largest) {
      largest = entry;
      largestKey = key;
    }
  }
  return { total, largest, largestKey };
}

/**
 * Refuses request metadata over `maxTotal` bytes in all or `maxEntry` bytes in one entry.
 * @throws RangeError saying which limit and how to raise it.
 */
export function checkSendMetadata(metadata: Metadata, maxTotal: number, maxEntry: number): void {
  const { total, largest, largestKey } = headerListSize(metadata);
  if (total > maxTotal) {
    throw new RangeError(
      `Request metadata of ${total} bytes exceeds the limit of ${maxTotal} bytes (channel option ${MAX_SEND_METADATA_SIZE_OPTION}); HTTP/2 servers refuse such a header block.`,
    );
  }
  if (largest > maxEntry) {
    throw new RangeError(
      `Request metadata entry "${largestKey}" of ${largest} bytes exceeds ${maxEntry} bytes, the most Node's HTTP/2 servers (nghttp2) decode in one header field: they would reset the stream. Set channel option ${MAX_SEND_METADATA_SIZE_OPTION} for servers that take more.`,
    );
  }
}
