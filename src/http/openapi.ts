import { z } from 'zod';
import type { AnyRoute } from './route.js';

/**
 * The OpenAPI 3.1 document, generated from the very zod schemas that validate requests, so the
 * documentation cannot drift from what the server accepts.
 */
export function buildOpenApi(routes: readonly AnyRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([a-zA-Z]+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'pgdir admin API', version, description: 'Users, groups, settings and operations of a pgdir directory.' },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A login session or API token' } },
      schemas: { Error: jsonSchema(errorSchema) },
    },
    paths,
  };
}

const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});

const jsonSchema = (schema: z.ZodType): Record<string, unknown> => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

function operation(route: AnyRoute): Record<string, unknown> {
  const op: Record<string, unknown> = {
    summary: route.summary,
    tags: [route.tag],
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[^a-zA-Z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    parameters: [...pathParameters(route), ...queryParameters(route)],
    responses: responses(route),
  };
  if (route.auth === 'user') op['security'] = [{ bearer: [] }];
  if (route.body !== undefined) op['requestBody'] = { required: true, content: { 'application/json': { schema: jsonSchema(route.body) } } };
  if (route.raw !== undefined) {
    op['requestBody'] = {
      required: true,
      content: Object.fromEntries(route.raw.types.map((t) => [t, route.raw?.openapi?.[t] ?? { schema: { type: 'string' } }])),
    };
  }
  return op;
}

function pathParameters(route: AnyRoute): unknown[] {
  return [...route.path.matchAll(/:([a-zA-Z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
}

function queryParameters(route: AnyRoute): unknown[] {
  if (route.query === undefined) return [];
  const schema = jsonSchema(route.query) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: schema.required?.includes(name) ?? false,
    schema: s,
  }));
}

function responses(route: AnyRoute): Record<string, unknown> {
  const status = String(route.status ?? 200);
  const ok =
    route.response === undefined || status === '204'
      ? { description: 'Success' }
      : { description: 'Success', content: { 'application/json': { schema: jsonSchema(route.response) } } };
  const error = { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  const out: Record<string, unknown> = { [status]: ok, '400': error };
  if (route.auth === 'user') Object.assign(out, { '401': error, '403': error });
  for (const [code, description] of Object.entries(route.errors ?? {})) out[code] = { ...error, description };
  return out;
}
