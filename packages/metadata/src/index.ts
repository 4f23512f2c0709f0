export type {
  BinaryMetadataKey,
  MetadataKey,
  MetadataLike,
  MetadataPair,
  MetadataValue,
  MetadataValueOf,
  ReadonlyMetadata,
} from './metadata.js';
export { METADATA_READ_ONLY, Metadata, validateMetadataKey, validateMetadataValue } from './metadata.js';
