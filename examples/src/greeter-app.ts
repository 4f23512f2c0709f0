// Application code of the testing example: a small client class and a servicer, written against
// grpc-aio's contracts so tests can run them on fakes (see test/testing.test.ts).
import { AioRpcError, type Channel, StatusCode } from 'grpc-aio';
import { type GreeterServicer, GreeterStub } from './generated/helloworld.js';

/** A client class that takes any Channel: a real one in production, a fake one in unit tests. */
export class Greetings {
  readonly #greeter: GreeterStub;

  constructor(channel: Channel) {
    this.#greeter = GreeterStub(channel);
  }

  /** The greeting for `name`; a fallback when the server does not know them. */
  async for(name: string): Promise<string> {
    try {
      const reply = await this.#greeter.sayHello(
        { name },
        { timeout: 2, metadata: [['x-app', 'greetings']] },
      );
      return reply.message ?? '';
    } catch (error) {
      if (error instanceof AioRpcError && error.code() === StatusCode.NOT_FOUND) return `Who is ${name}?`;
      throw error;
    }
  }
}

/** The servicer: refuses empty names, greets everyone else. */
export const greeter: GreeterServicer = {
  async sayHello(request, context) {
    if (!request.name) return context.abort(StatusCode.INVALID_ARGUMENT, 'name is required');
    return { message: `Hello, ${request.name}!` };
  },
};
