/** Turns a message into its wire bytes. */
export type Serializer<T> = (message: T) => Uint8Array;
/** Turns wire bytes into a message. A deserializer that throws fails the RPC with INTERNAL. */
export type Deserializer<T> = (bytes: Uint8Array) => T;
