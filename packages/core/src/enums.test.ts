import { describe, expect, it } from 'vitest';
import {
  ChannelConnectivity,
  Compression,
  channelConnectivityName,
  compressionAlgorithm,
  compressionName,
  isChannelConnectivity,
  isCompression,
  isStatusCode,
  StatusCode,
  statusCodeDescription,
  statusCodeFromName,
  statusCodeName,
  statusCodeToString,
} from './index.js';

describe('enums', () => {
  it('A68 StatusCode has all 17 codes with their wire values', () => {
    expect(StatusCode).toEqual({
      OK: 0,
      CANCELLED: 1,
      UNKNOWN: 2,
      INVALID_ARGUMENT: 3,
      DEADLINE_EXCEEDED: 4,
      NOT_FOUND: 5,
      ALREADY_EXISTS: 6,
      PERMISSION_DENIED: 7,
      RESOURCE_EXHAUSTED: 8,
      FAILED_PRECONDITION: 9,
      ABORTED: 10,
      OUT_OF_RANGE: 11,
      UNIMPLEMENTED: 12,
      INTERNAL: 13,
      UNAVAILABLE: 14,
      DATA_LOSS: 15,
      UNAUTHENTICATED: 16,
    });
    expect(Object.isFrozen(StatusCode)).toBe(true);
  });

  it('A68 name lookups both ways, Python str() and the lowercase description', () => {
    expect(statusCodeName(4)).toBe('DEADLINE_EXCEEDED');
    expect(statusCodeName(17)).toBeUndefined();
    expect(statusCodeFromName('NOT_FOUND')).toBe(5);
    expect(statusCodeFromName('toString')).toBeUndefined();
    expect(statusCodeToString(StatusCode.UNAVAILABLE)).toBe('StatusCode.UNAVAILABLE');
    expect(statusCodeToString(99)).toBe('StatusCode.99');
    expect(statusCodeDescription(StatusCode.DEADLINE_EXCEEDED)).toBe('deadline exceeded');
    expect(statusCodeDescription(StatusCode.OUT_OF_RANGE)).toBe('out of range');
    expect(isStatusCode(16)).toBe(true);
    expect(isStatusCode(17)).toBe(false);
    expect(isStatusCode('0')).toBe(false);
  });

  it('A68 values match grpc-js status', async () => {
    const { status } = await import('@grpc/grpc-js');
    for (const [name, value] of Object.entries(StatusCode))
      expect(status[name as keyof typeof status]).toBe(value);
  });

  it('A69 ChannelConnectivity values match grpc-js connectivityState', async () => {
    const { connectivityState } = await import('@grpc/grpc-js');
    expect(ChannelConnectivity).toEqual({
      IDLE: 0,
      CONNECTING: 1,
      READY: 2,
      TRANSIENT_FAILURE: 3,
      SHUTDOWN: 4,
    });
    for (const [name, value] of Object.entries(ChannelConnectivity)) {
      expect(connectivityState[name as keyof typeof connectivityState]).toBe(value);
    }
    expect(channelConnectivityName(3)).toBe('TRANSIENT_FAILURE');
    expect(isChannelConnectivity(4)).toBe(true);
    expect(isChannelConnectivity(5)).toBe(false);
  });

  it('A70 Compression values and wire algorithm names', () => {
    expect(Compression).toEqual({ NoCompression: 0, Deflate: 1, Gzip: 2 });
    expect(compressionName(2)).toBe('Gzip');
    expect(compressionAlgorithm(Compression.NoCompression)).toBe('identity');
    expect(compressionAlgorithm(Compression.Deflate)).toBe('deflate');
    expect(compressionAlgorithm(Compression.Gzip)).toBe('gzip');
    expect(() => compressionAlgorithm(7 as never)).toThrow('Unknown compression value: 7.');
    expect(isCompression(1)).toBe(true);
    expect(isCompression(3)).toBe(false);
  });
});
