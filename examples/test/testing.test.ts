// The testing example: unit tests of the client class (the test plays the server, on a fake
// channel) and of the servicer (the test plays the client, with the servicer harness).
import { StatusCode, servicerHandlers } from 'grpc-aio';
import { fakeChannel, serverFromHandlers, strictFakeTime } from 'grpc-aio/testing';
import { describe, expect, it } from 'vitest';
import { GreeterService } from '../src/generated/helloworld.js';
import { Greetings, greeter } from '../src/greeter-app.js';

const SAY_HELLO = '/helloworld.Greeter/SayHello';

describe('testing example: the client class on a fake channel', () => {
  it('greets with what the (scripted) server answers', async () => {
    await using channel = fakeChannel().handle(SAY_HELLO, (request) => ({ message: `hi ${request.name}` }));
    expect(await new Greetings(channel).for('ada')).toBe('hi ada');
  });

  it('sends its metadata and a 2 s deadline', async () => {
    await using channel = fakeChannel({ time: strictFakeTime(0) });
    const greeting = new Greetings(channel).for('ada');
    // A generated method descriptor types the take: `request` is a HelloRequest, terminate() takes a HelloReply.
    const { invocationMetadata, request, rpc } = await channel.takeUnaryUnary(
      GreeterService.methods.SayHello,
    );
    expect(request.name).toBe('ada');
    expect([invocationMetadata.get('x-app'), rpc.timeRemaining()]).toEqual(['greetings', 2]);
    rpc.terminate({ message: 'hello' });
    expect(await greeting).toBe('hello');
  });

  it('gives up after 2 s of fake time', async () => {
    const time = strictFakeTime(0);
    await using channel = fakeChannel({ time });
    const greeting = new Greetings(channel).for('ada').catch((error) => error.code());
    await channel.takeUnaryUnary(SAY_HELLO);
    await time.advance(2);
    expect(await greeting).toBe(StatusCode.DEADLINE_EXCEEDED);
  });
});

describe('testing example: the servicer in the harness', () => {
  const server = serverFromHandlers({ 'helloworld.Greeter': servicerHandlers(GreeterService, greeter) });

  it('says hello', async () => {
    const { code, response } = await server.invokeUnaryUnary(SAY_HELLO, { name: 'ada' }).termination();
    expect([code, response]).toEqual([StatusCode.OK, { message: 'Hello, ada!' }]);
  });

  it('refuses an empty name', async () => {
    const { code, details } = await server.invokeUnaryUnary(SAY_HELLO, { name: '' }).termination();
    expect([code, details]).toEqual([StatusCode.INVALID_ARGUMENT, 'name is required']);
  });
});
