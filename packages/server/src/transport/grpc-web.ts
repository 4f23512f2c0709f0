import type { OutgoingHttpHeaders } from 'node:http2';

// gRPC-Web (doc/PROTOCOL-WEB.md in grpc/grpc) on the server's own port: its options, the content
// types it answers, CORS (https://fetch.spec.whatwg.org/#http-cors-protocol), and the text (base64)
// encoding of grpc-web-text bodies.

/**
 * `server({ grpcWeb })`: serve gRPC-Web (browsers) on the same ports as gRPC, over HTTP/2 and
 * HTTP/1.1. Off unless given.
 */
export interface GrpcWebOptions {
  /**
   * The origins of the pages that may call this server (`'https://app.example'`: scheme, host and
   * port only), or `'*'` for any. A request from another origin is refused (HTTP 403, no CORS
   * headers); so is one from the server's own host name unless listed (a page of a rebound DNS name
   * would otherwise pass). A request without an `Origin` header (not from a browser page) is served.
   */
  readonly allowedOrigins: readonly string[] | '*';
  /**
   * Request headers a page may send besides the ones of gRPC-Web (`content-type`, `x-grpc-web`,
   * `x-user-agent`, `grpc-timeout`, `grpc-encoding`, `grpc-accept-encoding`): the keys of the custom
   * metadata your pages send (`authorization`, `x-request-id-bin` ...), or `'*'` to allow whatever a
   * preflight asks for. Default: none.
   */
  readonly allowedHeaders?: readonly string[] | '*' | undefined;
  /**
   * Response headers a page may read besides `grpc-status`, `grpc-message`,
   * `grpc-status-details-bin`, `grpc-encoding`, `grpc-accept-encoding` and the metadata keys of each
   * response (those are exposed on their own). Default: none.
   */
  readonly exposedHeaders?: readonly string[] | undefined;
  /** How long a browser may cache a preflight, in seconds (`Access-Control-Max-Age`). Default 7200. */
  readonly maxAge?: number | undefined;
  /**
   * Send `Access-Control-Allow-Credentials: true`, so that pages may call with cookies or HTTP
   * authentication (`fetch(..., { credentials: 'include' })`). Not with `allowedOrigins: '*'`.
   * Default false.
   */
  readonly allowCredentials?: boolean | undefined;
}

/** The checked form of {@link GrpcWebOptions}. */
export interface GrpcWebSettings {
  /** Allowed origins, or '*' for any. */
  readonly origins: ReadonlySet<string> | '*';
  /** `access-control-allow-headers` of a preflight, or '*' to echo what the preflight asks for. */
  readonly allowHeaders: string | '*';
  /** Headers exposed on every response (the metadata keys of each response are added to these). */
  readonly exposeHeaders: readonly string[];
  readonly maxAge: number;
  readonly allowCredentials: boolean;
}

/** Request headers every gRPC-Web client may send. */
const GRPC_WEB_REQUEST_HEADERS = [
  'content-type',
  'x-grpc-web',
  'x-user-agent',
  'grpc-timeout',
  'grpc-encoding',
  'grpc-accept-encoding',
];

/** Response headers every gRPC-Web client may read. */
const GRPC_WEB_RESPONSE_HEADERS = [
  'grpc-status',
  'grpc-message',
  'grpc-status-details-bin',
  'grpc-encoding',
  'grpc-accept-encoding',
];

const OPTION_KEYS = new Set([
  'allowedOrigins',
  'allowedHeaders',
  'exposedHeaders',
  'maxAge',
  'allowCredentials',
]);

// RFC 9110 token: the characters of a header name.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The text of the TypeError thrown for a bad `grpcWeb` option. */
const invalidGrpcWebOption = (problem: string): string => `Invalid server option grpcWeb: ${problem}`;

function headerNames(value: unknown, what: string): string[] {
  if (!Array.isArray(value)) {
    throw new TypeError(
      invalidGrpcWebOption(`${what} must be an array of header names, got ${String(value)}.`),
    );
  }
  return value.map((name: unknown) => {
    if (typeof name !== 'string' || !TOKEN.test(name)) {
      throw new TypeError(
        invalidGrpcWebOption(`${what} holds ${JSON.stringify(name)}, which is not a header name.`),
      );
    }
    return name.toLowerCase();
  });
}

function origin(value: unknown): string {
  if (typeof value === 'string') {
    let parsed: URL | undefined;
    try {
      parsed = new URL(value);
    } catch {}
    if (parsed !== undefined && parsed.origin === value) return value;
  }
  throw new TypeError(
    invalidGrpcWebOption(
      `allowedOrigins holds ${JSON.stringify(value)}, which is not an origin such as 'https://app.example' (scheme, host and port, no path or trailing slash).`,
    ),
  );
}

/**
 * Checks `server({ grpcWeb })`; undefined when gRPC-Web is off.
 * @throws TypeError for anything that is not a valid {@link GrpcWebOptions}.
 */
export function grpcWebSettings(options: unknown): GrpcWebSettings | undefined {
  if (options === undefined || options === null || options === false) return undefined;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(
      invalidGrpcWebOption(
        `expected an object such as { allowedOrigins: ['https://app.example'] }, got ${String(options)}.`,
      ),
    );
  }
  // A key whose value is undefined is not an option (as rejectUnknownOptions has it).
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key) && (options as Record<string, unknown>)[key] !== undefined) {
      throw new TypeError(
        invalidGrpcWebOption(`unknown key '${key}' (known: ${[...OPTION_KEYS].join(', ')}).`),
      );
    }
  }
  const given = options as GrpcWebOptions;
  let origins: ReadonlySet<string> | '*';
  if (given.allowedOrigins === '*') origins = '*';
  else if (Array.isArray(given.allowedOrigins) && given.allowedOrigins.length > 0) {
    origins = new Set(given.allowedOrigins.map(origin));
  } else {
    throw new TypeError(
      invalidGrpcWebOption(
        `allowedOrigins must be '*' or a non-empty array of origins such as ['https://app.example'], got ${String(given.allowedOrigins)}.`,
      ),
    );
  }
  let allowHeaders: string | '*';
  if (given.allowedHeaders === '*') allowHeaders = '*';
  else {
    const extra =
      given.allowedHeaders === undefined ? [] : headerNames(given.allowedHeaders, 'allowedHeaders');
    allowHeaders = [...new Set([...GRPC_WEB_REQUEST_HEADERS, ...extra])].join(', ');
  }
  const exposed =
    given.exposedHeaders === undefined ? [] : headerNames(given.exposedHeaders, 'exposedHeaders');
  const maxAge = given.maxAge ?? 7200;
  if (typeof maxAge !== 'number' || !Number.isInteger(maxAge) || maxAge < 0) {
    throw new TypeError(
      invalidGrpcWebOption(`maxAge must be a whole number of seconds >= 0, got ${String(maxAge)}.`),
    );
  }
  const allowCredentials = given.allowCredentials ?? false;
  if (typeof allowCredentials !== 'boolean') {
    throw new TypeError(
      invalidGrpcWebOption(`allowCredentials must be a boolean, got ${String(allowCredentials)}.`),
    );
  }
  if (allowCredentials && origins === '*') {
    throw new TypeError(
      invalidGrpcWebOption(
        "allowCredentials cannot be combined with allowedOrigins '*' (any site could call with the user's cookies); list the origins.",
      ),
    );
  }
  return Object.freeze({
    origins,
    allowHeaders,
    exposeHeaders: [...new Set([...GRPC_WEB_RESPONSE_HEADERS, ...exposed])],
    maxAge,
    allowCredentials,
  });
}

// ---- content types ------------------------------------------------------------------------------

/** What a gRPC-Web request's content type says: text (base64) or binary, and the type to answer with. */
export interface GrpcWebContentType {
  readonly text: boolean;
  /** The response's content type: the request's, without parameters. */
  readonly responseType: string;
}

const WEB = 'application/grpc-web';
const WEB_TEXT = 'application/grpc-web-text';

/** The gRPC-Web form of a request's content type, or undefined when it is not gRPC-Web. */
export function grpcWebContentType(value: string | undefined): GrpcWebContentType | undefined {
  if (value === undefined || !value.startsWith(WEB)) return undefined;
  const semicolon = value.indexOf(';');
  const type = (semicolon < 0 ? value : value.slice(0, semicolon)).trim().toLowerCase();
  const text = type.startsWith(WEB_TEXT);
  const rest = type.slice(text ? WEB_TEXT.length : WEB.length);
  if (rest !== '' && !(rest.startsWith('+') && rest.length > 1)) return undefined;
  return { text, responseType: type };
}

// ---- CORS ---------------------------------------------------------------------------------------

/** How a request's `Origin` stands: none sent (not a cross-origin browser call), allowed, or refused. */
export type OriginCheck = 'none' | 'allowed' | 'denied';

/**
 * Checks a request's `origin` header against the allowed origins. The origin the request addressed
 * (its `Host`) is not allowed for that alone: under DNS rebinding, a hostile page's origin and the
 * `Host` it sends are one and the same name, now pointing at this server.
 */
export function checkOrigin(settings: GrpcWebSettings, origin: string | undefined): OriginCheck {
  if (origin === undefined) return 'none';
  if (settings.origins === '*' || settings.origins.has(origin)) return 'allowed';
  return 'denied';
}

/** CORS headers of a gRPC-Web response to an allowed `origin`; `metadataKeys` are exposed too. */
export function corsResponseHeaders(
  settings: GrpcWebSettings,
  origin: string,
  metadataKeys: Iterable<string>,
): OutgoingHttpHeaders {
  const exposed = new Set(settings.exposeHeaders);
  for (const key of metadataKeys) exposed.add(key);
  const headers: OutgoingHttpHeaders = {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': [...exposed].join(', '),
    vary: 'Origin',
  };
  if (settings.allowCredentials) headers['access-control-allow-credentials'] = 'true';
  return headers;
}

/**
 * The answer to a CORS preflight (`OPTIONS` with `Access-Control-Request-Method`): 204 with the
 * allowed method and headers for an allowed origin, 403 without CORS headers for any other.
 */
export function preflight(
  settings: GrpcWebSettings,
  check: OriginCheck,
  origin: string | undefined,
  requestHeaders: string | undefined,
): { status: number; headers: OutgoingHttpHeaders } {
  const vary = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers';
  if (check !== 'allowed' || origin === undefined)
    return { status: 403, headers: { vary, 'content-length': '0' } };
  const headers: OutgoingHttpHeaders = {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': 'POST, OPTIONS',
    'access-control-allow-headers':
      settings.allowHeaders === '*'
        ? (requestHeaders ?? GRPC_WEB_REQUEST_HEADERS.join(', '))
        : settings.allowHeaders,
    'access-control-max-age': String(settings.maxAge),
    vary,
    'content-length': '0',
  };
  if (settings.allowCredentials) headers['access-control-allow-credentials'] = 'true';
  return { status: 204, headers };
}

// ---- text (base64) bodies -----------------------------------------------------------------------

// A body of grpc-web-text is base64, possibly in several independently padded pieces (a client may
// flush and pad wherever it likes): groups of four characters, each group either full or padded.
const GROUPS = /^(?:[A-Za-z0-9+/]{4})*$/;
const PADDED = /^(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)*$/;
const ALPHABET = /^[A-Za-z0-9+/=]*$/;
const TAIL = /^[A-Za-z0-9+/]{2,3}$/;
// What a chunk may leave for the next: the start of a group, padded or not.
const PENDING = /^(?:[A-Za-z0-9+/]{0,3}|[A-Za-z0-9+/]{2}=)$/;

/** Decodes a grpc-web-text body chunk by chunk; a chunk may end anywhere inside a group. */
export class Base64Decoder {
  #pending = '';

  /** The bytes of `chunk` (with what an earlier chunk left), or undefined when it is not base64. */
  push(chunk: Buffer): Buffer | undefined {
    const text = this.#pending + chunk.toString('latin1');
    if (!ALPHABET.test(text)) return undefined;
    const whole = text.length - (text.length % 4);
    this.#pending = text.slice(whole);
    if (!PENDING.test(this.#pending)) return undefined;
    return decodeGroups(text.slice(0, whole));
  }

  /** The last bytes once the body ended (an unpadded last group), or undefined when it is cut short. */
  end(): Buffer | undefined {
    const rest = this.#pending;
    this.#pending = '';
    if (rest === '') return Buffer.alloc(0);
    return TAIL.test(rest) ? Buffer.from(rest, 'base64') : undefined;
  }
}

function decodeGroups(text: string): Buffer | undefined {
  if (GROUPS.test(text)) return Buffer.from(text, 'base64');
  if (!PADDED.test(text)) return undefined;
  // Node's decoder stops at the first padding: decode piece by piece.
  const pieces: Buffer[] = [];
  let start = 0;
  for (let index = 3; index < text.length; index += 4) {
    if (text.charCodeAt(index) === 0x3d /* = */) {
      pieces.push(Buffer.from(text.slice(start, index + 1), 'base64'));
      start = index + 1;
    }
  }
  if (start < text.length) pieces.push(Buffer.from(text.slice(start), 'base64'));
  return Buffer.concat(pieces);
}
