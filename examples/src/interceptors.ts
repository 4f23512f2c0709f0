// Interceptors on both sides: the client adds an auth token and logs every call; the server
// checks the token before the handler runs (declining with UNAUTHENTICATED), passes the caller to
// the handler through an RpcContextVar, and logs every call.
import {
  type AioRpcError,
  type ClientInterceptor,
  clientLoggingInterceptor,
  insecureChannel,
  metadataInterceptor,
  RpcContextVar,
  type RpcMethodHandler,
  type ServerInterceptor,
  type ServicerContext,
  StatusCode,
  server,
  serverLoggingInterceptor,
  statusCodeName,
} from 'grpc-aio';
import { addGreeterServicerToServer, GreeterStub } from './generated/helloworld.js';
import { runIfMain } from './run-main.js';

const TOKENS: Record<string, string> = { 's3cret-ada': 'ada', 's3cret-bob': 'bob' };
const caller = new RpcContextVar<string>('caller');

/** A handler of the same kind as `handler` that ends every RPC with `code` (Python's usual terminator). */
function refusing(handler: RpcMethodHandler, code: StatusCode, details: string): RpcMethodHandler {
  const refuse = async (_request: unknown, context: ServicerContext): Promise<never> =>
    context.abort(code, details);
  const kind = `${handler.requestStreaming ? 'stream' : 'unary'}${handler.responseStreaming ? 'Stream' : 'Unary'}`;
  return {
    requestStreaming: handler.requestStreaming,
    responseStreaming: handler.responseStreaming,
    [kind]: refuse,
  };
}

/** Server side: authenticates every RPC before its handler runs. */
const auth: ServerInterceptor = {
  async interceptService(continuation, details) {
    const handler = await continuation(details);
    if (handler == null) return handler; // unknown method: UNIMPLEMENTED as usual
    const header = details.invocationMetadata.get('authorization');
    const user = typeof header === 'string' ? TOKENS[header.replace(/^Bearer /, '')] : undefined;
    if (user === undefined) return refusing(handler, StatusCode.UNAUTHENTICATED, 'missing or unknown token');
    caller.set(user);
    return handler;
  },
};

export async function main(): Promise<string[]> {
  const lines: string[] = [];
  const srv = server({
    interceptors: [
      serverLoggingInterceptor({
        logger: (entry) => lines.push(`server: ${entry.method} ${statusCodeName(entry.code)}`),
      }),
      auth,
    ],
  });
  addGreeterServicerToServer(
    { sayHello: async (request) => ({ message: `Hello ${request.name}, you are ${caller.get()}` }) },
    srv,
  );
  const port = await srv.addInsecurePort('127.0.0.1:0');
  await srv.start();

  const logging = clientLoggingInterceptor({
    logger: (entry) => lines.push(`client: ${entry.method} ${statusCodeName(entry.code)}`),
  });
  const withToken = (token: string): ClientInterceptor =>
    metadataInterceptor([['authorization', `Bearer ${token}`]]);
  const ada = insecureChannel(`127.0.0.1:${port}`, { interceptors: [logging, withToken('s3cret-ada')] });
  const stranger = insecureChannel(`127.0.0.1:${port}`, { interceptors: [logging] });
  try {
    lines.push((await GreeterStub(ada).sayHello({ name: 'Ada' }, { timeout: 5 })).message ?? '');
    try {
      await GreeterStub(stranger).sayHello({ name: 'Mallory' }, { timeout: 5 });
    } catch (error) {
      lines.push(
        `without a token: ${statusCodeName((error as AioRpcError).code())} "${(error as AioRpcError).details()}"`,
      );
    }
    return lines;
  } finally {
    await Promise.all([ada.close(), stranger.close()]);
    await srv.stop(null);
  }
}

runIfMain(import.meta.url, main);
