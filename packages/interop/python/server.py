"""The interop TestService on Python grpc.aio (generic handlers). Prints "PORT <n>" once bound
to 127.0.0.1:<port> (argv[1], default 0)."""
import asyncio
import sys

import grpc

from messages import M, exit_with_parent

ECHO_INITIAL = "x-grpc-test-echo-initial"
ECHO_TRAILING = "x-grpc-test-echo-trailing-bin"


async def _echo(context):
    md = dict(context.invocation_metadata())
    if ECHO_INITIAL in md:
        await context.send_initial_metadata(((ECHO_INITIAL, md[ECHO_INITIAL]),))
    if ECHO_TRAILING in md:
        context.set_trailing_metadata(((ECHO_TRAILING, md[ECHO_TRAILING]),))


async def _maybe_abort(request, context):
    if request.response_status.code:
        await context.abort(_code(request.response_status.code), request.response_status.message)


def _code(number):
    for code in grpc.StatusCode:
        if code.value[0] == number:
            return code
    return grpc.StatusCode.UNKNOWN


def _payload(size):
    return M["Payload"](body=b"\0" * size)


async def empty_call(request, context):
    await _echo(context)
    return M["Empty"]()


async def unary_call(request, context):
    await _echo(context)
    await _maybe_abort(request, context)
    if request.response_compressed.value:
        context.set_compression(grpc.Compression.Gzip)
    return M["SimpleResponse"](payload=_payload(request.response_size))


async def _respond(request, context):
    for parameters in request.response_parameters:
        if parameters.interval_us:
            await asyncio.sleep(parameters.interval_us / 1e6)
        if parameters.compressed.value:
            context.set_compression(grpc.Compression.Gzip)
        await context.write(M["StreamingOutputCallResponse"](payload=_payload(parameters.size)))
    await _maybe_abort(request, context)


async def streaming_output_call(request, context):
    await _echo(context)
    await _respond(request, context)


async def streaming_input_call(request_iterator, context):
    await _echo(context)
    total = 0
    async for request in request_iterator:
        total += len(request.payload.body)
    return M["StreamingInputCallResponse"](aggregated_payload_size=total)


async def full_duplex_call(request_iterator, context):
    await _echo(context)
    async for request in request_iterator:
        await _respond(request, context)


async def half_duplex_call(request_iterator, context):
    await _echo(context)
    requests = [request async for request in request_iterator]
    for request in requests:
        await _respond(request, context)


def _handlers():
    def ser(message):
        return message.SerializeToString()

    return grpc.method_handlers_generic_handler("grpc.testing.TestService", {
        "EmptyCall": grpc.unary_unary_rpc_method_handler(empty_call, M["Empty"].FromString, ser),
        "UnaryCall": grpc.unary_unary_rpc_method_handler(unary_call, M["SimpleRequest"].FromString, ser),
        "StreamingOutputCall": grpc.unary_stream_rpc_method_handler(
            streaming_output_call, M["StreamingOutputCallRequest"].FromString, ser),
        "StreamingInputCall": grpc.stream_unary_rpc_method_handler(
            streaming_input_call, M["StreamingInputCallRequest"].FromString, ser),
        "FullDuplexCall": grpc.stream_stream_rpc_method_handler(
            full_duplex_call, M["StreamingOutputCallRequest"].FromString, ser),
        "HalfDuplexCall": grpc.stream_stream_rpc_method_handler(
            half_duplex_call, M["StreamingOutputCallRequest"].FromString, ser),
    })


async def main():
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((_handlers(),))
    port = server.add_insecure_port("127.0.0.1:%d" % int(sys.argv[1] if len(sys.argv) > 1 else 0))
    await server.start()
    print("PORT %d" % port, flush=True)
    await server.wait_for_termination()


if __name__ == "__main__":
    exit_with_parent()
    asyncio.run(main())
