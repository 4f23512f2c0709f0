import { describe, expect, it } from 'vitest';
import { canonicalTarget, targetAddress } from '../src/target.js';

describe('targets', () => {
  it('canonicalizes as grpc-js resolves (A66 grpc.target)', () => {
    expect(canonicalTarget('localhost:50051')).toBe('dns:///localhost:50051');
    expect(canonicalTarget('dns:///example.com:443')).toBe('dns:///example.com:443');
    expect(canonicalTarget('ipv4:127.0.0.1:1,127.0.0.1:2')).toBe('ipv4:127.0.0.1:1,127.0.0.1:2');
    expect(canonicalTarget('unix:/tmp/socket')).toBe('unix:/tmp/socket');
    expect(canonicalTarget('xds:///service')).toBe('xds:///service');
  });

  it('finds the server address and port of a target (span attributes)', () => {
    expect(targetAddress('localhost:50051')).toEqual({ address: 'localhost', port: 50051 });
    expect(targetAddress('example.com')).toEqual({ address: 'example.com', port: undefined });
    expect(targetAddress('dns:///example.com:443')).toEqual({ address: 'example.com', port: 443 });
    expect(targetAddress('dns://8.8.8.8/example.com:443')).toEqual({ address: 'example.com', port: 443 });
    expect(targetAddress('dns:example.com:80')).toEqual({ address: 'example.com', port: 80 });
    expect(targetAddress('ipv4:127.0.0.1:1,127.0.0.1:2')).toEqual({ address: '127.0.0.1', port: 1 });
    expect(targetAddress('ipv6:[::1]:50051')).toEqual({ address: '::1', port: 50051 });
    expect(targetAddress('[::1]:8080')).toEqual({ address: '::1', port: 8080 });
    expect(targetAddress('::1')).toEqual({ address: '::1', port: undefined });
    expect(targetAddress('unix:/tmp/socket')).toEqual({ address: '/tmp/socket', port: undefined });
    expect(targetAddress('unix:///tmp/socket')).toEqual({ address: '/tmp/socket', port: undefined });
  });
});
