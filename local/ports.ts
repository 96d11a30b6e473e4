import * as net from 'node:net';

export class PortTakenError extends Error {}

/** Fails, naming the port, what wanted it and the flag that changes it, when 127.0.0.1:port cannot be bound. */
export function assertPortFree(port: number, what: string, flag: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES'
          ? new PortTakenError(`port ${port} (${what}) is ${error.code === 'EACCES' ? 'not allowed' : 'already in use'} on 127.0.0.1: free it or choose another with ${flag} PORT`)
          : error,
      );
    });
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve()));
  });
}
