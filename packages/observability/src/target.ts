// Targets as telemetry reports them: gRFC A66's canonical target URI for `grpc.target`, and the
// server's address and port for the `server.address`/`server.port` span attributes.

/** The name-resolver schemes grpc-js knows (plus xDS, when @grpc/grpc-js-xds is loaded). */
const SCHEMES = /^(dns|ipv4|ipv6|unix|unix-abstract|vsock|xds|google-c2p):/;

/**
 * A66's canonical form: the target as given when it names a scheme grpc-js resolves, else
 * `dns:///` followed by it (`localhost:50051` -> `dns:///localhost:50051`), as grpc-js resolves it.
 */
export function canonicalTarget(target: string): string {
  return SCHEMES.test(target) ? target : `dns:///${target}`;
}

/** The host and port a target names (the first address of a list); port undefined when not given. */
export function targetAddress(target: string): { address: string; port: number | undefined } {
  let rest = target;
  const scheme = SCHEMES.exec(target)?.[1];
  if (scheme !== undefined) {
    rest = target.slice(scheme.length + 1);
    if (scheme === 'unix' || scheme === 'unix-abstract') {
      return { address: rest.startsWith('//') ? rest.slice(2) : rest, port: undefined };
    }
    if (rest.startsWith('//')) {
      // dns://authority/host:port (the authority is the DNS server) or dns:///host:port.
      const slash = rest.indexOf('/', 2);
      rest = slash < 0 ? rest.slice(2) : rest.slice(slash + 1);
    }
    if (scheme === 'ipv4' || scheme === 'ipv6') rest = rest.split(',')[0] ?? rest;
  }
  return hostPort(rest);
}

function hostPort(text: string): { address: string; port: number | undefined } {
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end > 0) {
      const port = text[end + 1] === ':' ? Number(text.slice(end + 2)) : Number.NaN;
      return { address: text.slice(1, end), port: Number.isInteger(port) ? port : undefined };
    }
  }
  const colon = text.lastIndexOf(':');
  // More than one colon without brackets: a bare IPv6 address, no port.
  if (colon < 0 || text.indexOf(':') !== colon) return { address: text, port: undefined };
  const port = Number(text.slice(colon + 1));
  return { address: text.slice(0, colon), port: Number.isInteger(port) ? port : undefined };
}
