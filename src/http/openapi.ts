import { z } from 'zod';
import { NAME_ALIASES } from './name-aliases.js';
import type { AnyRoute } from './route.js';

type Aliases = Pick<typeof NAME_ALIASES, 'paths' | 'query'>;

/**
 * The OpenAPI 3.1 document, generated from the very zod schemas that validate requests, so the
 * documentation cannot drift from what the server accepts. Deprecated spellings of paths and
 * query parameters (name-aliases.ts) are listed with `deprecated: true`.
 */
export function buildOpenApi(routes: readonly AnyRoute[], version: string, aliases: Aliases = NAME_ALIASES): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const add = (path: string, route: AnyRoute, op: Record<string, unknown>): void => {
    const key = openApiPath(path);
    paths[key] ??= {};
    paths[key][route.method.toLowerCase()] = op;
  };
  for (const route of routes) add(route.path, route, operation(route, aliases.query));
  for (const [old, current] of Object.entries(aliases.paths)) {
    for (const route of routes.filter((r) => r.path === current)) {
      const description = `Deprecated spelling of \`${openApiPath(current)}\`, kept for one release; answers the same.`;
      add(old, route, { ...operation(route, aliases.query), operationId: `${operationId(route.method, old)}Deprecated`, description, deprecated: true });
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'pgdir admin API',
      version,
      description: 'Users, groups, settings and operations of a pgdir directory.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A login session or API token' } },
      schemas: { Error: jsonSchema(errorSchema) },
    },
    paths,
  };
}

const problemSchema = z.object({
  field: z.string().optional().describe('the input at fault, by path (`email`, `groupIds.1`); absent when the whole input is'),
  message: z.string(),
});

const errorSchema = z.object({
  error: z.object({
    code: z.string().describe('invalid, unauthenticated, forbidden, not_found, conflict, …'),
    message: z.string().describe('what went wrong; for `invalid`, the first problem'),
    field: z.string().optional().describe('the input at fault, when there is one (the first problem’s)'),
    problems: z.array(problemSchema).optional().describe('a request whose query or body failed validation: every problem found'),
  }),
});

const jsonSchema = (schema: z.ZodType): Record<string, unknown> => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

/** `/users/:id` → `/users/{id}` */
const openApiPath = (path: string): string => path.replace(/:([a-zA-Z]+)/g, '{$1}');

const operationId = (method: string, path: string): string =>
  `${method.toLowerCase()}${path.replace(/[^a-zA-Z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`;

function operation(route: AnyRoute, queryAliases: Readonly<Record<string, string>>): Record<string, unknown> {
  const op: Record<string, unknown> = {
    summary: route.summary,
    tags: [route.tag],
    operationId: operationId(route.method, route.path),
    // An empty list says "no authentication" explicitly (OpenAPI 3.1 §4.8.10).
    security: route.auth === 'user' ? [{ bearer: [] }] : [],
    parameters: [...pathParameters(route), ...queryParameters(route, queryAliases)],
    responses: responses(route),
  };
  if (route.body !== undefined) op['requestBody'] = { required: true, content: { 'application/json': { schema: jsonSchema(route.body) } } };
  if (route.raw !== undefined) op['requestBody'] = { required: true, content: textContent(route.raw) };
  return op;
}

const textContent = (text: { readonly types: readonly string[]; readonly openapi?: Record<string, unknown> }): Record<string, unknown> =>
  Object.fromEntries(text.types.map((t) => [t, text.openapi?.[t] ?? { schema: { type: 'string' } }]));

function pathParameters(route: AnyRoute): unknown[] {
  return [...route.path.matchAll(/:([a-zA-Z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
}

/** One parameter per query property, its description lifted from the schema; deprecated names after. */
function queryParameters(route: AnyRoute, aliases: Readonly<Record<string, string>>): unknown[] {
  if (route.query === undefined) return [];
  const schema = jsonSchema(route.query) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  const properties = schema.properties ?? {};
  const parameter = (name: string, s: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const { description, ...rest } = s;
    return { name, in: 'query', required: schema.required?.includes(name) ?? false, ...(description === undefined ? {} : { description }), schema: rest, ...extra };
  };
  const current = Object.entries(properties).map(([name, s]) => parameter(name, s));
  const old = Object.entries(aliases)
    .filter(([, name]) => properties[name] !== undefined)
    .map(([name, now]) => ({ ...parameter(name, properties[now] ?? {}), description: `Deprecated name of \`${now}\`, kept for one release.`, deprecated: true }));
  return [...current, ...old];
}

function responses(route: AnyRoute): Record<string, unknown> {
  const status = String(route.status ?? 200);
  const ok: Record<string, unknown> = { description: 'Success' };
  if (route.textResponse !== undefined) ok['content'] = textContent(route.textResponse);
  else if (route.response !== undefined && status !== '204') ok['content'] = { 'application/json': { schema: jsonSchema(route.response) } };
  // Pages answer their own errors (a form with the message, a 410 for a dead link) as HTML.
  const html = route.textResponse?.types.includes('text/html') === true ? { 'text/html': { schema: { type: 'string' } } } : {};
  const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } }, ...html } });
  const out: Record<string, unknown> = { [status]: ok };
  if (route.query !== undefined || route.body !== undefined || route.raw !== undefined || route.path.includes('/:')) {
    out['400'] = error('Invalid input: `error.problems` lists every problem found');
  }
  if (route.auth === 'user') Object.assign(out, { '401': error('Not signed in, or the token expired'), '403': error('Not allowed for this caller') });
  if (route.body !== undefined || route.raw !== undefined) {
    Object.assign(out, { '413': error('The body is too large'), '415': error('The body has another media type') });
  }
  for (const [code, description] of Object.entries(route.errors ?? {})) out[code] = error(description);
  return out;
}
