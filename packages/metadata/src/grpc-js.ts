import { Metadata as GrpcJsMetadata } from '@grpc/grpc-js';
import { Metadata, type MetadataLike, type MetadataValue } from './metadata.js';

/**
 * Converts to grpc-js `Metadata`, keeping every value of every key in order. Binary values become
 * Buffers over the same memory (no copy).
 */
export function toGrpcJsMetadata(metadata: MetadataLike | null | undefined): GrpcJsMetadata {
  const target = new GrpcJsMetadata();
  if (metadata == null) return target;
  for (const [key, value] of Metadata.from(metadata)) {
    target.add(
      key,
      typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength),
    );
  }
  return target;
}

/**
 * Converts grpc-js `Metadata` (as received from the wire) to a `Metadata`, keeping every value.
 * Binary values stay Buffers (a Buffer is a Uint8Array).
 */
export function fromGrpcJsMetadata(metadata: GrpcJsMetadata | null | undefined): Metadata {
  if (metadata == null) return new Metadata();
  const keys = Object.keys(metadata.getMap());
  const entries: [string, MetadataValue[]][] = [];
  for (const key of keys) entries.push([key, metadata.get(key) as MetadataValue[]]);
  return Metadata.unchecked(entries);
}
