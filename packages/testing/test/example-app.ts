// The application code of the README example: a client class and a servicer.
import type { Channel, UnaryUnaryMultiCallable } from '@grpc-aio/core';
import { StatusCode } from '@grpc-aio/core';
import { AioRpcError } from '@grpc-aio/errors';
import {
  methodHandlersGenericHandler,
  unaryStreamRpcMethodHandler,
  unaryUnaryRpcMethodHandler,
} from '@grpc-aio/server';

export interface HelloRequest {
  name: string;
}
export interface HelloReply {
  message: string;
}

const encode = (message: unknown): Uint8Array => Buffer.from(JSON.stringify(message));
// biome-ignore lint/suspicious/noExplicitAny: JSON of any shape, as the application under test reads it
const decode = (bytes: Uint8Array): any => JSON.parse(Buffer.from(bytes).toString());

export const SAY_HELLO = '/helloworld.Greeter/SayHello';
export const COUNTDOWN = '/helloworld.Greeter/Countdown';

/** Application code under test: takes any Channel. */
export class GreeterClient {
  readonly #sayHello: UnaryUnaryMultiCallable<HelloRequest, HelloReply>;

  constructor(channel: Channel) {
    this.#sayHello = channel.unaryUnary(SAY_HELLO, encode, decode);
  }

  /** The greeting for `name`, or a polite fallback when the server does not know them. */
  async greet(name: string): Promise<string> {
    try {
      const reply = await this.#sayHello({ name }, { timeout: 5, metadata: [['client', 'example']] });
      return reply.message;
    } catch (error) {
      if (error instanceof AioRpcError && error.code() === StatusCode.NOT_FOUND) return `Who is ${name}?`;
      throw error;
    }
  }
}

/** The servicer under test. */
export const greeterServicer = methodHandlersGenericHandler('helloworld.Greeter', {
  SayHello: unaryUnaryRpcMethodHandler(
    async (request: HelloRequest, context) => {
      if (request.name === '') await context.abort(StatusCode.INVALID_ARGUMENT, 'name is required');
      return { message: `Hello, ${request.name}!` };
    },
    decode,
    encode,
  ),
  Countdown: unaryStreamRpcMethodHandler(
    async function* (request: { from: number }) {
      for (let count = request.from; count > 0; count--) yield { count };
    },
    decode,
    encode,
  ),
});
