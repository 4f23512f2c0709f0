/** This package's version, named in the user-agent of every channel. */
export const VERSION = '0.1.0';
/** The user-agent token grpc-aio adds to every channel (`grpc.primary_user_agent`). */
export const USER_AGENT = `grpc-aio/${VERSION}`;
