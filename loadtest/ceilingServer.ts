/**
 * The do-nothing gateway for `npm run bench:stack`'s ceiling: fastify parsing
 * the order and answering 201, with no Redis, engine or PostgreSQL behind it.
 * nginx in front of four of these is the most this topology can carry here.
 */
import Fastify from 'fastify';

const port = Number(process.env.PORT);
const backendId = process.env.GATEWAY_ID ?? `ceiling-${process.pid}`;

const app = Fastify({ logger: false });
app.addHook('onSend', async (_request, reply) => {
  reply.header('X-Backend-Id', backendId);
});
app.get('/health', async () => ({ status: 'ok' }));
app.get('/ready', async () => ({ status: 'ready' }));
app.post('/api/orders', async (_request, reply) => reply.code(201).send({ status: 'new' }));

process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
app.listen({ port, host: '127.0.0.1' }).catch((error: Error) => {
  process.stderr.write(`ceiling server: ${error.message}\n`);
  process.exit(1);
});
