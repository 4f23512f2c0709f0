"""The interop client cases on Python grpc.aio, against 127.0.0.1:<argv[1]>. Prints one JSON
line per case: {"case": name, "ok": bool, "error": str}."""
import asyncio
import json
import sys

import grpc

from messages import M, exit_with_parent

ECHO_INITIAL = "x-grpc-test-echo-initial"
ECHO_TRAILING = "x-grpc-test-echo-trailing-bin"
SPECIAL = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"


def _ser(message):
    return message.SerializeToString()


def _stubs(channel):
    svc = "/grpc.testing.TestService/"
    return {
        "EmptyCall": channel.unary_unary(svc + "EmptyCall", _ser, M["Empty"].FromString),
        "UnaryCall": channel.unary_unary(svc + "UnaryCall", _ser, M["SimpleResponse"].FromString),
        "StreamingOutputCall": channel.unary_stream(svc + "StreamingOutputCall", _ser,
                                                    M["StreamingOutputCallResponse"].FromString),
        "StreamingInputCall": channel.stream_unary(svc + "StreamingInputCall", _ser,
                                                   M["StreamingInputCallResponse"].FromString),
        "FullDuplexCall": channel.stream_stream(svc + "FullDuplexCall", _ser,
                                                M["StreamingOutputCallResponse"].FromString),
        "UnimplementedCall": channel.unary_unary(svc + "UnimplementedCall", _ser, M["Empty"].FromString),
        "UnimplementedService": channel.unary_unary("/grpc.testing.UnimplementedService/UnimplementedCall",
                                                    _ser, M["Empty"].FromString),
    }


def _payload(size):
    return M["Payload"](body=b"\0" * size)


def _check(condition, what):
    if not condition:
        raise AssertionError(what)


async def _expect(coro, code, details=None):
    try:
        await coro
    except grpc.aio.AioRpcError as error:
        _check(error.code() == code, "expected %s, got %s %r" % (code, error.code(), error.details()))
        if details is not None:
            _check(error.details() == details, "details %r" % error.details())
        return
    raise AssertionError("expected %s, the call succeeded" % code)


async def empty_unary(s):
    _check(await s["EmptyCall"](M["Empty"]()) == M["Empty"](), "empty reply")


async def large_unary(s):
    reply = await s["UnaryCall"](M["SimpleRequest"](response_size=314159, payload=_payload(271828)))
    _check(len(reply.payload.body) == 314159, "size")


async def client_streaming(s):
    async def requests():
        for size in (27182, 8, 1828, 45904):
            yield M["StreamingInputCallRequest"](payload=_payload(size))
    reply = await s["StreamingInputCall"](requests())
    _check(reply.aggregated_payload_size == 74922, "aggregated %d" % reply.aggregated_payload_size)


async def server_streaming(s):
    sizes = [31415, 9, 2653, 58979]
    request = M["StreamingOutputCallRequest"]()
    for size in sizes:
        request.response_parameters.add(size=size)
    got = [len(r.payload.body) async for r in s["StreamingOutputCall"](request)]
    _check(got == sizes, "sizes %r" % got)


async def ping_pong(s):
    call = s["FullDuplexCall"]()
    for req, res in zip((27182, 8, 1828, 45904), (31415, 9, 2653, 58979)):
        request = M["StreamingOutputCallRequest"](payload=_payload(req))
        request.response_parameters.add(size=res)
        await call.write(request)
        reply = await call.read()
        _check(len(reply.payload.body) == res, "size")
    await call.done_writing()
    _check(await call.read() is grpc.aio.EOF, "eof")
    _check(await call.code() == grpc.StatusCode.OK, "code")


async def empty_stream(s):
    call = s["FullDuplexCall"]()
    await call.done_writing()
    _check(await call.read() is grpc.aio.EOF, "eof")
    _check(await call.code() == grpc.StatusCode.OK, "code")


async def timeout_on_sleeping_server(s):
    call = s["FullDuplexCall"](timeout=0.001)
    try:
        await call.write(M["StreamingOutputCallRequest"](payload=_payload(27182)))
    except Exception:
        pass
    _check(await call.code() == grpc.StatusCode.DEADLINE_EXCEEDED, "code %s" % await call.code())


async def cancel_after_begin(s):
    async def never():
        await asyncio.sleep(3600)
        yield M["StreamingInputCallRequest"]()
    call = s["StreamingInputCall"](never())
    await asyncio.sleep(0)
    call.cancel()
    _check(await call.code() == grpc.StatusCode.CANCELLED, "code")


async def cancel_after_first_response(s):
    call = s["FullDuplexCall"]()
    request = M["StreamingOutputCallRequest"](payload=_payload(27182))
    request.response_parameters.add(size=31415)
    await call.write(request)
    reply = await call.read()
    _check(len(reply.payload.body) == 31415, "size")
    call.cancel()
    _check(await call.code() == grpc.StatusCode.CANCELLED, "code")


async def status_code_and_message(s):
    status = M["EchoStatus"](code=2, message="test status message")
    await _expect(s["UnaryCall"](M["SimpleRequest"](response_status=status)), grpc.StatusCode.UNKNOWN,
                  "test status message")
    call = s["FullDuplexCall"]()
    await call.write(M["StreamingOutputCallRequest"](response_status=status))
    await call.done_writing()
    _check(await call.code() == grpc.StatusCode.UNKNOWN, "code")
    _check(await call.details() == "test status message", "details")


async def special_status_message(s):
    status = M["EchoStatus"](code=2, message=SPECIAL)
    await _expect(s["UnaryCall"](M["SimpleRequest"](response_status=status)), grpc.StatusCode.UNKNOWN, SPECIAL)


async def custom_metadata(s):
    metadata = ((ECHO_INITIAL, "test_initial_metadata_value"), (ECHO_TRAILING, b"\xab\xab\xab"))
    call = s["UnaryCall"](M["SimpleRequest"](response_size=314159, payload=_payload(271828)), metadata=metadata)
    await call
    _check((await call.initial_metadata()).get(ECHO_INITIAL) == "test_initial_metadata_value", "initial")
    _check((await call.trailing_metadata()).get(ECHO_TRAILING) == b"\xab\xab\xab", "trailing")
    call = s["FullDuplexCall"](metadata=metadata)
    request = M["StreamingOutputCallRequest"](payload=_payload(271828))
    request.response_parameters.add(size=314159)
    await call.write(request)
    await call.read()
    await call.done_writing()
    _check(await call.code() == grpc.StatusCode.OK, "code")
    _check((await call.initial_metadata()).get(ECHO_INITIAL) == "test_initial_metadata_value", "initial")
    _check((await call.trailing_metadata()).get(ECHO_TRAILING) == b"\xab\xab\xab", "trailing")


async def unimplemented_method(s):
    await _expect(s["UnimplementedCall"](M["Empty"]()), grpc.StatusCode.UNIMPLEMENTED)


async def unimplemented_service(s):
    await _expect(s["UnimplementedService"](M["Empty"]()), grpc.StatusCode.UNIMPLEMENTED)


async def client_compressed_unary(s):
    reply = await s["UnaryCall"](M["SimpleRequest"](response_size=314159, payload=_payload(271828)),
                                 compression=grpc.Compression.Gzip)
    _check(len(reply.payload.body) == 314159, "size")


async def server_compressed_unary(s):
    for value in (True, False):
        reply = await s["UnaryCall"](M["SimpleRequest"](response_size=314159, payload=_payload(271828),
                                                        response_compressed=M["BoolValue"](value=value)))
        _check(len(reply.payload.body) == 314159, "size")


async def client_compressed_streaming(s):
    async def requests():
        yield M["StreamingInputCallRequest"](payload=_payload(27182))
        yield M["StreamingInputCallRequest"](payload=_payload(45904))
    reply = await s["StreamingInputCall"](requests(), compression=grpc.Compression.Gzip)
    _check(reply.aggregated_payload_size == 73086, "aggregated %d" % reply.aggregated_payload_size)


async def server_compressed_streaming(s):
    request = M["StreamingOutputCallRequest"]()
    request.response_parameters.add(size=31415, compressed=M["BoolValue"](value=True))
    request.response_parameters.add(size=92653, compressed=M["BoolValue"](value=False))
    got = [len(r.payload.body) async for r in s["StreamingOutputCall"](request)]
    _check(got == [31415, 92653], "sizes %r" % got)


CASES = [empty_unary, large_unary, client_streaming, server_streaming, ping_pong, empty_stream,
         timeout_on_sleeping_server, cancel_after_begin, cancel_after_first_response, status_code_and_message,
         special_status_message, custom_metadata, unimplemented_method, unimplemented_service,
         client_compressed_unary, client_compressed_streaming, server_compressed_unary,
         server_compressed_streaming]


async def hold(port, n):
    """Graceful-stop peer: n calls of each kind to /t.G/{UU,US,SU,SS} (bytes), odd ones asking to
    finish (first byte 1), even ones to block; prints one JSON line: [[finish, code name], ...]."""
    async with grpc.aio.insecure_channel("127.0.0.1:%s" % port) as channel:
        async def outcome(call, finish):
            try:
                if hasattr(call, "__aiter__"):
                    async for _ in call:
                        pass
                else:
                    await call
            except grpc.aio.AioRpcError:
                pass
            return [finish, (await call.code()).name]

        pending = []
        for i in range(n):
            finish = i % 2 == 0
            request = bytes([1 if finish else 0])
            pending.append(outcome(channel.unary_unary("/t.G/UU")(request, timeout=20), finish))
            pending.append(outcome(channel.unary_stream("/t.G/US")(request, timeout=20), finish))
            pending.append(outcome(channel.stream_unary("/t.G/SU")(iter([request]), timeout=20), finish))
            pending.append(outcome(channel.stream_stream("/t.G/SS")(iter([request]), timeout=20), finish))
        print(json.dumps(await asyncio.gather(*pending)), flush=True)


async def main():
    if len(sys.argv) > 2 and sys.argv[2] == "hold":
        await hold(sys.argv[1], int(sys.argv[3]))
        return
    async with grpc.aio.insecure_channel("127.0.0.1:%s" % sys.argv[1]) as channel:
        stubs = _stubs(channel)
        for case in CASES:
            try:
                await asyncio.wait_for(case(stubs), 10)
                print(json.dumps({"case": case.__name__, "ok": True}), flush=True)
            except BaseException as error:  # noqa: B902 - report everything, keep going
                print(json.dumps({"case": case.__name__, "ok": False, "error": repr(error)}), flush=True)


if __name__ == "__main__":
    exit_with_parent()
    asyncio.run(main())
