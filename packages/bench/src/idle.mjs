// How many idle-stream handlers are open in this (server) process: the memory mode waits until
// every stream the client opened has reached its handler before it measures.
export const idle = { open: 0 };
