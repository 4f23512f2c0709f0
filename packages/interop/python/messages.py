"""grpc.testing messages built at run time (no protoc): a FileDescriptorProto made in code,
mirroring ../protos/test.proto field for field."""
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

F = descriptor_pb2.FieldDescriptorProto

_MESSAGES = {
    "Empty": [],
    "BoolValue": [("value", 1, F.TYPE_BOOL, None, False)],
    "Payload": [("type", 1, F.TYPE_ENUM, ".grpc.testing.PayloadType", False),
                ("body", 2, F.TYPE_BYTES, None, False)],
    "EchoStatus": [("code", 1, F.TYPE_INT32, None, False), ("message", 2, F.TYPE_STRING, None, False)],
    "SimpleRequest": [
        ("response_type", 1, F.TYPE_ENUM, ".grpc.testing.PayloadType", False),
        ("response_size", 2, F.TYPE_INT32, None, False),
        ("payload", 3, F.TYPE_MESSAGE, ".grpc.testing.Payload", False),
        ("fill_username", 4, F.TYPE_BOOL, None, False),
        ("fill_oauth_scope", 5, F.TYPE_BOOL, None, False),
        ("response_compressed", 6, F.TYPE_MESSAGE, ".grpc.testing.BoolValue", False),
        ("response_status", 7, F.TYPE_MESSAGE, ".grpc.testing.EchoStatus", False),
        ("expect_compressed", 8, F.TYPE_MESSAGE, ".grpc.testing.BoolValue", False),
    ],
    "SimpleResponse": [("payload", 1, F.TYPE_MESSAGE, ".grpc.testing.Payload", False),
                       ("username", 2, F.TYPE_STRING, None, False),
                       ("oauth_scope", 3, F.TYPE_STRING, None, False)],
    "StreamingInputCallRequest": [("payload", 1, F.TYPE_MESSAGE, ".grpc.testing.Payload", False),
                                  ("expect_compressed", 2, F.TYPE_MESSAGE, ".grpc.testing.BoolValue", False)],
    "StreamingInputCallResponse": [("aggregated_payload_size", 1, F.TYPE_INT32, None, False)],
    "ResponseParameters": [("size", 1, F.TYPE_INT32, None, False),
                           ("interval_us", 2, F.TYPE_INT32, None, False),
                           ("compressed", 3, F.TYPE_MESSAGE, ".grpc.testing.BoolValue", False)],
    "StreamingOutputCallRequest": [
        ("response_type", 1, F.TYPE_ENUM, ".grpc.testing.PayloadType", False),
        ("response_parameters", 2, F.TYPE_MESSAGE, ".grpc.testing.ResponseParameters", True),
        ("payload", 3, F.TYPE_MESSAGE, ".grpc.testing.Payload", False),
        ("response_compressed", 6, F.TYPE_MESSAGE, ".grpc.testing.BoolValue", False),
        ("response_status", 7, F.TYPE_MESSAGE, ".grpc.testing.EchoStatus", False),
    ],
    "StreamingOutputCallResponse": [("payload", 1, F.TYPE_MESSAGE, ".grpc.testing.Payload", False)],
}


def _build():
    file = descriptor_pb2.FileDescriptorProto(name="grpc_aio_interop/test.proto", package="grpc.testing",
                                              syntax="proto3")
    enum = file.enum_type.add(name="PayloadType")
    enum.value.add(name="COMPRESSABLE", number=0)
    for name, fields in _MESSAGES.items():
        message = file.message_type.add(name=name)
        for field_name, number, kind, type_name, repeated in fields:
            field = message.field.add(name=field_name, number=number, type=kind,
                                      label=F.LABEL_REPEATED if repeated else F.LABEL_OPTIONAL)
            if type_name:
                field.type_name = type_name
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    classes = {}
    for name in _MESSAGES:
        descriptor = pool.FindMessageTypeByName("grpc.testing." + name)
        if hasattr(message_factory, "GetMessageClass"):
            classes[name] = message_factory.GetMessageClass(descriptor)
        else:
            classes[name] = message_factory.MessageFactory(pool).GetPrototype(descriptor)
    return classes


M = _build()


def exit_with_parent():
    """Exits the process when stdin closes: the parent (the test run) went away, even if killed."""
    import os
    import sys
    import threading

    fd = sys.stdin.fileno()

    def watch():
        try:
            # The raw fd, not sys.stdin: a buffered reader's lock held by a daemon thread aborts
            # the interpreter at shutdown.
            while os.read(fd, 65536):
                pass
        finally:
            os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
