import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { renderControlPage } from './page.ts';
import { ScenarioInputError, type ScenarioController } from './scenarios.ts';

/** GET / (control page), GET /scenario, POST /scenario. */
export function registerScenarioRoutes(app: FastifyInstance, scenario: ScenarioController): void {
  app.get('/', async (_request, reply) => {
    const nonce = randomBytes(16).toString('base64');
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`)
      .header('x-content-type-options', 'nosniff')
      .send(renderControlPage(scenario.current(), nonce));
  });

  app.get('/scenario', async () => scenario.current());

  app.post('/scenario', async (request, reply) => {
    // JSON only: a cross-site HTML form can send text/plain without a preflight, but not JSON.
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
      return reply.code(415).send({ error: 'POST /scenario needs a JSON body (Content-Type: application/json)' });
    }
    try {
      return scenario.start(request.body);
    } catch (error) {
      if (error instanceof ScenarioInputError) return reply.code(400).send({ error: `Invalid scenario: ${error.message}` });
      throw error;
    }
  });
}
