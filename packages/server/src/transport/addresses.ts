import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** Where one listener binds: a TCP host and port, or a Unix socket path. */
export type BindTarget = { readonly host: string; readonly port: number } | { readonly path: string };

/**
 * Parses a server address as C-core does: `host:port`, `[v6]:port`, `unix:path`, `unix:///abs/path`.
 * Hostnames resolve to every address they have (`localhost` binds 127.0.0.1 and ::1 on one port).
 * @throws Error naming the problem.
 */
export async function bindTargets(address: string): Promise<{ tcp: boolean; targets: BindTarget[] }> {
  if (address.startsWith('unix:')) {
    let path = address.slice('unix:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (path === '') throw new Error('a unix: address needs a path');
    return { tcp: false, targets: [{ path }] };
  }
  let host: string;
  let portText: string;
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(address);
  if (bracketed !== null) {
    host = bracketed[1] as string;
    portText = bracketed[2] as string;
  } else {
    const colon = address.lastIndexOf(':');
    if (colon <= 0 || address.indexOf(':') !== colon)
      throw new Error('expected host:port, [ipv6]:port or unix:path');
    host = address.slice(0, colon);
    portText = address.slice(colon + 1);
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new Error(`invalid port "${portText}"`);
  const port = Number(portText);
  if (isIP(host) !== 0) return { tcp: true, targets: [{ host, port }] };
  const found = await lookup(host, { all: true });
  if (found.length === 0) throw new Error(`"${host}" resolves to no address`);
  return { tcp: true, targets: found.map((entry) => ({ host: entry.address, port })) };
}

/** C-core's form of a peer or local address: `ipv4:127.0.0.1:5000`, `ipv6:[::1]:5000`, `unix:/path`. */
export function formatAddress(address: string | undefined, port: number | undefined): string {
  if (address === undefined) return 'unknown';
  if (port === undefined) return `unix:${address}`;
  return isIP(address) === 6 ? `ipv6:[${address}]:${port}` : `ipv4:${address}:${port}`;
}

/** True for an address on this machine's loopback (127.0.0.0/8, ::1, and v4-mapped loopback). */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  if (address === '::1') return true;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return isIP(v4) === 4 && v4.startsWith('127.');
}
