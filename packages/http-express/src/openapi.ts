import { mediaTypesOf, type RouteSpec } from './http/route.js';
import { problemSchema } from './routes/shared.js';

function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** A JSON Schema as OpenAPI 3.1 embeds it (2020-12 dialect; `$id`s kept for `$ref`s). */
function schemaObject(schema: object): object {
  return schema;
}

/**
 * The OpenAPI 3.1 document of the service, generated from the same route specs and
 * JSON Schemas that authenticate, parse and validate requests.
 */
export function openApiDocument(routes: readonly RouteSpec[], version: string): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    const parameters: object[] = [];
    for (const [name, schema] of Object.entries(route.params ?? {}))
      parameters.push({ name, in: 'path', required: true, schema });
    for (const [name, schema] of Object.entries(route.query?.properties ?? {})) {
      const { description, ...rest } = schema as { description?: string };
      parameters.push({
        name,
        in: 'query',
        required: route.query?.required?.includes(name) ?? false,
        ...(description === undefined ? {} : { description }),
        schema: rest,
      });
    }
    const responses: Record<string, object> = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      responses[status] = {
        description: spec.description,
        ...(spec.schema === undefined
          ? {}
          : {
              content: {
                [spec.contentType ?? 'application/json']: { schema: schemaObject(spec.schema) },
              },
            }),
      };
    }
    const problem = {
      'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
    };
    if (route.roles !== 'public') {
      responses['401'] ??= { description: 'No valid API key', content: problem };
      responses['403'] ??= { description: 'The key’s role may not do this', content: problem };
      responses['429'] ??= {
        description: 'Rate limit exceeded (see Retry-After)',
        content: problem,
      };
    }
    if (route.body !== undefined) {
      responses['400'] ??= { description: 'Malformed body or query', content: problem };
      responses['413'] ??= { description: 'The body is too large', content: problem };
      responses['415'] ??= { description: 'Unsupported Content-Type', content: problem };
    }
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      ...(parameters.length === 0 ? {} : { parameters }),
      responses,
    };
    if (route.roles === 'public') operation.security = [];
    else
      operation.description = `Roles: ${route.roles.join(', ')}${route.platform === true ? ' (platform admin)' : ''}.`;
    if (route.body !== undefined) {
      const content: Record<string, object> = {};
      for (const format of route.body.formats ?? ['json'])
        for (const type of mediaTypesOf(format))
          content[type] = {
            schema:
              format === 'gzip'
                ? { type: 'string', format: 'binary' }
                : schemaObject(route.body.schema),
          };
      operation.requestBody = { required: true, content };
    }
    (paths[path] ??= {})[route.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'govgate',
      version,
      description:
        'AI-governance engine: decisions against policies, recorded in a tamper-evident ledger.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    security: [{ apiKey: [] }],
    paths,
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'Authorization: Bearer ggk_<id>_<secret>',
        },
      },
      schemas: { Problem: problemSchema },
    },
  };
}
