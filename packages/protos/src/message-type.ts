import type protobuf from 'protobufjs';
import { type ConversionOptions, conversionOptions } from './options.js';
import { messageValidator } from './validate.js';

/**
 * One message type of a loaded .proto (a class of Python's `protos` module), over protobufjs's
 * reflection `Type`. `T` is the shape of its plain objects, as {@link MessageType.deserialize}
 * returns them and {@link MessageType.serialize} accepts them.
 */
// biome-ignore lint/suspicious/noExplicitAny: a message type looked up by name (`protos.messages[name]`) gives plain objects the user reads without casts
export interface MessageType<T = any> {
  /** The full name without a leading dot, e.g. `'helloworld.HelloRequest'`. */
  readonly fullName: string;
  /** The protobufjs reflection type, for everything else it offers. */
  readonly type: protobuf.Type;
  /** A protobufjs message instance with the given properties (not validated, not converted). */
  create(properties?: T): protobuf.Message;
  /** Encodes a message instance or a plain object that already has runtime types (no conversion). */
  encode(message: protobuf.Message | T): Uint8Array;
  /** Decodes bytes into a protobufjs message instance. @throws Error for malformed bytes. */
  decode(bytes: Uint8Array): protobuf.Message;
  /**
   * protobufjs's check of a message in its runtime form (`Long` objects, enum numbers, bytes):
   * `null` when valid, else the reason. For plain objects as serializers accept them use
   * {@link MessageType.validate}.
   */
  verify(object: unknown): string | null;
  /**
   * Checks a plain object as {@link MessageType.serialize} does before encoding: every key is a
   * field (or a virtual oneof field), every value has its field's type. A protobufjs message
   * instance of this type passes unchecked (it is protobufjs's runtime form).
   * @throws TypeError naming the field by path, e.g. `DivideRequest.dividend: expected an int64
   *   (...), got "abc"`, or `Outer.items[2].name: ...`.
   */
  validate(object: unknown): void;
  /** Converts a plain object (enum names, 64-bit integers as strings, base64 bytes...) to a message. */
  fromObject(object: T | Record<string, unknown>): protobuf.Message;
  /**
   * Converts a message to a plain object, with the load options unless `options` are given
   * (64-bit integers become bigints unless `options.longs` says otherwise).
   */
  toObject(message: protobuf.Message, options?: ConversionOptions): T;
  /**
   * `validate`, `fromObject` then `encode`: what a request or response serializer does.
   * @throws TypeError as {@link MessageType.validate} does.
   */
  serialize(object: T): Uint8Array;
  /** `decode` then `toObject` with the load options: what a deserializer does. */
  deserialize(bytes: Uint8Array): T;
}

/** Wraps a resolved protobufjs Type, with `options` as its default conversion options. */
export function messageType<T>(type: protobuf.Type, options: ConversionOptions): MessageType<T> {
  const validate = messageValidator(type);
  return Object.freeze({
    fullName: type.fullName.replace(/^\./, ''),
    type,
    create: (properties?: T) => type.create(properties as Record<string, unknown> | undefined),
    encode: (message: protobuf.Message | T) => type.encode(message as Record<string, unknown>).finish(),
    decode: (bytes: Uint8Array) => type.decode(bytes),
    verify: (object: unknown) => type.verify(object as Record<string, unknown>),
    validate,
    fromObject: (object: T | Record<string, unknown>) => type.fromObject(object as Record<string, unknown>),
    toObject: (message: protobuf.Message, conversion?: ConversionOptions) =>
      type.toObject(
        message,
        (conversion === undefined ? options : conversionOptions(conversion)) as protobuf.IConversionOptions,
      ) as T,
    serialize: (object: T) => {
      validate(object);
      return type.encode(type.fromObject(object as Record<string, unknown>)).finish();
    },
    deserialize: (bytes: Uint8Array) =>
      type.toObject(type.decode(bytes), options as protobuf.IConversionOptions) as T,
  });
}
