import type { FastifyInstance, FastifyReply } from 'fastify';
import type { z } from 'zod';
import { describeIssues } from '../scenario/scenarios.ts';
import { Collection, StoreFullError } from './store.ts';
import { pageQuerySchema } from './schemas.ts';

const ID = /^[1-9]\d{0,8}$/;

function parseId(raw: string): number | undefined {
  return ID.test(raw) ? Number(raw) : undefined;
}

export function sendValidationError(reply: FastifyReply, what: string, error: z.ZodError): FastifyReply {
  return reply.code(400).send({
    error: `Invalid ${what}: ${describeIssues(error)}`,
    issues: error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  });
}

/** GET/POST /api/<name>, GET/PUT/DELETE /api/<name>/:id over an in-memory collection. */
export function registerResource<S extends z.ZodType<object>>(
  app: FastifyInstance,
  options: { name: string; singular: string; schema: S; collection: Collection<z.output<S>> },
): void {
  const { name, singular, schema, collection } = options;
  const base = `/api/${name}`;
  const notFound = (reply: FastifyReply, raw: string) => reply.code(404).send({ error: `${singular} ${raw} not found` });

  app.get(base, { config: { kind: 'list' } }, async (request, reply) => {
    const query = pageQuerySchema.safeParse(request.query);
    if (!query.success) return sendValidationError(reply, 'query', query.error);
    const { offset, limit } = query.data;
    return { items: collection.list(offset, limit), total: collection.size, offset, limit };
  });

  app.post(base, { config: { kind: 'create' } }, async (request, reply) => {
    const body = schema.safeParse(request.body);
    if (!body.success) return sendValidationError(reply, singular, body.error);
    try {
      const item = collection.create(body.data);
      return reply.code(201).header('location', `${base}/${item.id}`).send(item);
    } catch (error) {
      if (error instanceof StoreFullError) return reply.code(507).send({ error: error.message });
      throw error;
    }
  });

  app.get<{ Params: { id: string } }>(`${base}/:id`, { config: { kind: 'read' } }, async (request, reply) => {
    const id = parseId(request.params.id);
    const item = id === undefined ? undefined : collection.get(id);
    return item ?? notFound(reply, request.params.id);
  });

  app.put<{ Params: { id: string } }>(`${base}/:id`, { config: { kind: 'update' } }, async (request, reply) => {
    const id = parseId(request.params.id);
    if (id === undefined || !collection.get(id)) return notFound(reply, request.params.id);
    const body = schema.safeParse(request.body);
    if (!body.success) return sendValidationError(reply, singular, body.error);
    return collection.replace(id, body.data);
  });

  app.delete<{ Params: { id: string } }>(`${base}/:id`, { config: { kind: 'delete' } }, async (request, reply) => {
    const id = parseId(request.params.id);
    if (id === undefined || !collection.delete(id)) return notFound(reply, request.params.id);
    return reply.code(204).send();
  });
}
