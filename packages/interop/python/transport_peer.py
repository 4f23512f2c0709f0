"""Python grpc.aio (C-core) peer for test/server-transport.test.ts: a server to compare grpc-aio's
server with, and a one-call client to use against both.

  transport_peer.py serve [--compression gzip|deflate] [--options JSON] [--tls-key F --tls-cert F
                          [--tls-ca F [--require-client-auth]]]
      Serves transport.Peer (bytes in, bytes out) on 127.0.0.1:0 and prints "PORT <n>":
        Metadata  (unary)        -> JSON of invocation_metadata(), in order
        Echo      (unary)        -> the request
        Collect   (client stream)-> the requests joined
        Stream    (server stream)-> the request three times, the second with
                                    disable_next_message_compression()
        Abort     (unary)        -> abort(FAILED_PRECONDITION, ABORT_DETAILS, ABORT_TRAILERS)
        Mixed     (server stream)-> yields and context.write()s mixed: w1, y1, w2, y2
        MixedRead (client stream)-> read(), a loop left at once, read(), a loop over the rest,
                                    read() twice; JSON of what each gave
        Who       (unary)        -> JSON of peer_identities(), peer_identity_key(), auth_context()

  transport_peer.py call PORT METHOD [--kind unary|client_stream|server_stream] [--request TEXT]
                         [--repeat N] [--count K] [--metadata JSON] [--compression gzip|deflate]
                         [--options JSON] [--timeout S] [--tls-ca F [--tls-key F --tls-cert F]]
      One call on 127.0.0.1:PORT; prints one JSON line: code, details, initial and trailing
      metadata, responses.

Metadata travels as JSON lists: [key, text] for text values, [key, hex, "bytes"] for bytes; in
--metadata, values of -bin keys are hex.
"""
import argparse
import asyncio
import json
import sys

import grpc

from messages import exit_with_parent

SERVICE = "transport.Peer"
ABORT_DETAILS = "h\u00e9llo 100% \u2713"
ABORT_TRAILERS = (("x-t", "v1"), ("x-t-bin", b"\x00\xff\x10"), ("x-t", "v2"))
COMPRESSION = {"gzip": grpc.Compression.Gzip, "deflate": grpc.Compression.Deflate, None: None}


def md_json(metadata):
    out = []
    for key, value in metadata or ():
        if isinstance(value, bytes):
            out.append([key, value.hex(), "bytes"])
        else:
            out.append([key, value])
    return out


def md_from_json(text):
    return tuple((key, bytes.fromhex(value) if key.endswith("-bin") else value) for key, value in json.loads(text))


def read(path):
    with open(path, "rb") as f:
        return f.read()


# ---- server --------------------------------------------------------------------------------------

async def metadata(request, context):
    return json.dumps(md_json(context.invocation_metadata())).encode()


async def echo(request, context):
    return request


async def collect(request_iterator, context):
    return b"".join([r async for r in request_iterator])


async def stream(request, context):
    await context.write(request)
    context.disable_next_message_compression()
    await context.write(request)
    await context.write(request)


async def abort(request, context):
    await context.abort(grpc.StatusCode.FAILED_PRECONDITION, ABORT_DETAILS, ABORT_TRAILERS)


async def mixed(request, context):
    await context.write(b"w1")
    yield b"y1"
    await context.write(b"w2")
    yield b"y2"


async def mixed_read(request_iterator, context):
    def text(value):
        return "EOF" if value is grpc.aio.EOF else value.decode()
    first = await context.read()
    looped = []
    async for request in request_iterator:
        looped.append(request.decode())
        break
    second = await context.read()
    rest = [r.decode() async for r in request_iterator]
    after = [await context.read(), await context.read()]
    return json.dumps([text(first), looped, text(second), rest, [text(a) for a in after]], separators=(",", ":")).encode()


async def who(request, context):
    identities = context.peer_identities()
    auth = {key: sorted(v.decode() for v in values)
            for key, values in context.auth_context().items() if key not in ("x509_pem_cert", "x509_pem_cert_chain")}
    return json.dumps({
        "identities": None if identities is None else [v.decode() for v in identities],
        "key": context.peer_identity_key(),
        "auth": auth,
    }, sort_keys=True).encode()


async def serve(args):
    handler = grpc.method_handlers_generic_handler(SERVICE, {
        "Metadata": grpc.unary_unary_rpc_method_handler(metadata),
        "Echo": grpc.unary_unary_rpc_method_handler(echo),
        "Collect": grpc.stream_unary_rpc_method_handler(collect),
        "Stream": grpc.unary_stream_rpc_method_handler(stream),
        "Abort": grpc.unary_unary_rpc_method_handler(abort),
        "Mixed": grpc.unary_stream_rpc_method_handler(mixed),
        "MixedRead": grpc.stream_unary_rpc_method_handler(mixed_read),
        "Who": grpc.unary_unary_rpc_method_handler(who),
    })
    options = [tuple(o) for o in json.loads(args.options)]
    server = grpc.aio.server(options=options, compression=COMPRESSION[args.compression])
    server.add_generic_rpc_handlers((handler,))
    if args.tls_key:
        credentials = grpc.ssl_server_credentials(
            [(read(args.tls_key), read(args.tls_cert))],
            root_certificates=read(args.tls_ca) if args.tls_ca else None,
            require_client_auth=args.require_client_auth)
        port = server.add_secure_port("127.0.0.1:0", credentials)
    else:
        port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    print("PORT %d" % port, flush=True)
    await server.wait_for_termination()


# ---- client --------------------------------------------------------------------------------------

async def call(args):
    options = [tuple(o) for o in json.loads(args.options)]
    target = "127.0.0.1:%d" % args.port
    if args.tls_ca:
        credentials = grpc.ssl_channel_credentials(
            read(args.tls_ca),
            read(args.tls_key) if args.tls_key else None,
            read(args.tls_cert) if args.tls_cert else None)
        channel = grpc.aio.secure_channel(target, credentials, options=options)
    else:
        channel = grpc.aio.insecure_channel(target, options=options)
    request = args.request.encode() * args.repeat
    kwargs = {"timeout": args.timeout, "metadata": md_from_json(args.metadata),
              "compression": COMPRESSION[args.compression]}
    responses = []
    async with channel:
        if args.kind == "unary":
            rpc = channel.unary_unary(args.method)(request, **kwargs)
        elif args.kind == "client_stream":
            rpc = channel.stream_unary(args.method)(iter([request] * args.count), **kwargs)
        else:
            rpc = channel.unary_stream(args.method)(request, **kwargs)
        try:
            if args.kind == "server_stream":
                async for response in rpc:
                    responses.append(response)
            else:
                responses.append(await rpc)
        except grpc.aio.AioRpcError:
            pass
        out = {
            "code": (await rpc.code()).name,
            "details": await rpc.details(),
            "initial": md_json(await rpc.initial_metadata()),
            "trailing": md_json(await rpc.trailing_metadata()),
            "responses": [r.decode("utf-8", "backslashreplace") for r in responses],
        }
    print(json.dumps(out), flush=True)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--compression", choices=["gzip", "deflate"])
    s.add_argument("--options", default="[]")
    s.add_argument("--tls-key")
    s.add_argument("--tls-cert")
    s.add_argument("--tls-ca")
    s.add_argument("--require-client-auth", action="store_true")
    c = sub.add_parser("call")
    c.add_argument("port", type=int)
    c.add_argument("method")
    c.add_argument("--kind", choices=["unary", "client_stream", "server_stream"], default="unary")
    c.add_argument("--request", default="")
    c.add_argument("--repeat", type=int, default=1)
    c.add_argument("--count", type=int, default=1)
    c.add_argument("--metadata", default="[]")
    c.add_argument("--compression", choices=["gzip", "deflate"])
    c.add_argument("--options", default="[]")
    c.add_argument("--timeout", type=float, default=10)
    c.add_argument("--tls-ca")
    c.add_argument("--tls-key")
    c.add_argument("--tls-cert")
    args = parser.parse_args()
    exit_with_parent()
    asyncio.run(serve(args) if args.command == "serve" else call(args))


if __name__ == "__main__":
    main()
