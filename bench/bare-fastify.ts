/**
 * The baseline of bench:api: a bare Fastify route that answers a fixed body of the same
 * size as an events page, with no auth, no database and no framework on top.
 */
import * as fs from 'node:fs';
import Fastify from 'fastify';

const body = fs.readFileSync(process.env.BENCH_BODY_FILE ?? '', 'utf8');
const app = Fastify({ logger: false });
app.get('/events', async (_req, reply) =>
  reply.header('content-type', 'application/json; charset=utf-8').send(body),
);
app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' }).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
