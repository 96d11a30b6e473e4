/**
 * A stand-in for the gateways behind a load balancer, for testing the load
 * tester alone: answers `POST /api/orders` with 201 and takes turns among
 * backend ids, and keeps every order body it received.
 */
import Fastify, { FastifyInstance } from 'fastify';
import { AddressInfo } from 'node:net';
import { OrderRequestBody } from '../../loadtest/orders';

export interface FakeGateway {
  url: string;
  orders: OrderRequestBody[];
  close(): Promise<void>;
}

export async function startFakeGateway(backendIds: string[]): Promise<FakeGateway> {
  const app: FastifyInstance = Fastify();
  const orders: OrderRequestBody[] = [];
  let turn = 0;
  app.post<{ Body: OrderRequestBody }>('/api/orders', async (request, reply) => {
    orders.push(request.body);
    reply.header('X-Backend-Id', backendIds[turn++ % backendIds.length]);
    return reply.code(201).send({ orderId: `o-${orders.length}`, status: 'accepted' });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, orders, close: () => app.close() };
}
