import {
  REPEATED_KEY,
  createValidator,
  duplicateJsonKey,
  parseDocumentText,
  type ApiKeyRecord,
  type ErrorDetail,
  type Role,
} from '@govgate/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpProblem } from './problem.js';

/** Who is calling: the authenticated key and the tenant every handler is confined to. */
export interface Caller {
  readonly key: ApiKeyRecord;
  readonly tenant: string;
  readonly role: Role;
  readonly platform: boolean;
}

export type BodyFormat = 'json' | 'yaml' | 'gzip';

export interface RouteContext {
  readonly req: Request;
  readonly res: Response;
  readonly caller: Caller;
  readonly body: unknown;
  /** The body's format (from its Content-Type), for routes that take more than JSON. */
  readonly format: BodyFormat;
  readonly query: Readonly<Record<string, unknown>>;
  readonly params: Readonly<Record<string, string>>;
}

/** What a handler answers; `undefined` when it wrote the response itself (streams). */
export interface Reply {
  readonly status?: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ResponseSpec {
  readonly description: string;
  readonly schema?: object;
  /** Default application/json. */
  readonly contentType?: string;
}

/**
 * One route: everything the router needs to authenticate, authorize, parse and
 * validate it, and everything /openapi.json says about it — from the same schemas.
 */
export interface RouteSpec {
  readonly method: 'get' | 'post' | 'delete';
  /** Express path, e.g. `/v1/policies/:id`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: string;
  /** Roles allowed, or 'public' for no authentication. */
  readonly roles: readonly Role[] | 'public';
  /** Also requires the platform permission (tenants, other tenants' keys). */
  readonly platform?: boolean;
  readonly params?: Readonly<Record<string, object>>;
  /** Query parameters: a JSON Schema object with `properties`; integers are parsed. */
  readonly query?: {
    readonly properties: Readonly<Record<string, object>>;
    readonly required?: readonly string[];
  };
  readonly body?: {
    readonly schema: object;
    /** Accepted formats (default json). */
    readonly formats?: readonly BodyFormat[];
    /** Validate against `schema` here (default true); false when core validates it. */
    readonly validate?: boolean;
  };
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /** Does not count against the key's rate limit (e.g. reading one's own usage). */
  readonly unmetered?: boolean;
  handler(context: RouteContext): Promise<Reply | undefined>;
}

const MEDIA_TYPES: Readonly<Record<BodyFormat, readonly string[]>> = {
  json: ['application/json'],
  yaml: ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'],
  gzip: ['application/gzip', 'application/x-gzip', 'application/octet-stream'],
};

/** The media types of a body format, for OpenAPI. */
export function mediaTypesOf(format: BodyFormat): readonly string[] {
  return MEDIA_TYPES[format];
}

/** Which accepted format a Content-Type is; HttpProblem 415 when none. */
export function formatOfContentType(
  header: string | undefined,
  accepted: readonly BodyFormat[],
): BodyFormat {
  const [first = '', ...parameters] = (header ?? '').split(';');
  const type = first.trim().toLowerCase();
  // Bodies are read as UTF-8: a declared charset must say so (or be plain ASCII).
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=').map((p) => p.trim().toLowerCase());
    const charset = value.replace(/^"(.*)"$/, '$1');
    if (name === 'charset' && charset !== 'utf-8' && charset !== 'utf8' && charset !== 'us-ascii')
      throw new HttpProblem(
        'UNSUPPORTED_MEDIA_TYPE',
        `charset '${charset}' is not accepted: send the body as UTF-8`,
      );
  }
  for (const format of accepted) {
    if (MEDIA_TYPES[format].includes(type)) return format;
    if (format === 'json' && /^application\/[a-z0-9.+-]+\+json$/.test(type)) return format;
  }
  const expected = accepted.flatMap((f) => MEDIA_TYPES[f]).join(', ');
  throw new HttpProblem(
    'UNSUPPORTED_MEDIA_TYPE',
    type === ''
      ? `the request has a body but no Content-Type; send one of: ${expected}`
      : `Content-Type '${type}' is not accepted here; send one of: ${expected}`,
  );
}

const MAX_DEPTH = 64;

/** Depth of nested arrays/objects, without recursion (hostile input cannot blow the stack). */
export function nestingDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (depth > deepest) deepest = depth;
    if (deepest > MAX_DEPTH) return deepest;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses a JSON or YAML body; HttpProblem 400 naming what is wrong. */
export function parseBody(raw: Buffer, format: BodyFormat): unknown {
  if (format === 'gzip') return raw;
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new HttpProblem('MALFORMED_BODY', 'the body is not valid UTF-8');
  }
  let value: unknown;
  if (format === 'json') {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new HttpProblem(
        'MALFORMED_BODY',
        `the body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    // JSON.parse keeps the last of repeated keys; another reader of the body may keep the first
    const duplicate = duplicateJsonKey(text);
    if (duplicate !== undefined)
      throw new HttpProblem('MALFORMED_BODY', `the body repeats the key at ${duplicate}`, [
        { pointer: duplicate, message: REPEATED_KEY },
      ]);
  } else {
    try {
      value = parseDocumentText(text, 'yaml', 'REQUEST_INVALID');
    } catch (error) {
      throw new HttpProblem(
        'MALFORMED_BODY',
        `the body is not valid YAML: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  if (nestingDepth(value) > MAX_DEPTH)
    throw new HttpProblem('MALFORMED_BODY', `the body is nested deeper than ${MAX_DEPTH} levels`);
  return value;
}

/** Reads query parameters per the route's schema: one value each, integers parsed. */
export function readQuery(
  spec: NonNullable<RouteSpec['query']>,
  query: Request['query'],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const errors: ErrorDetail[] = [];
  for (const [name, raw] of Object.entries(query)) {
    const schema = spec.properties[name] as { type?: string } | undefined;
    if (schema === undefined) {
      errors.push({ pointer: `?${name}`, message: `unknown query parameter '${name}'` });
      continue;
    }
    if (typeof raw !== 'string') {
      errors.push({ pointer: `?${name}`, message: 'must be given once, as a plain value' });
      continue;
    }
    if (schema.type === 'integer') {
      if (!/^-?[0-9]{1,15}$/.test(raw)) {
        errors.push({ pointer: `?${name}`, message: 'must be an integer' });
        continue;
      }
      out[name] = Number(raw);
    } else if (schema.type === 'boolean') {
      if (raw !== 'true' && raw !== 'false') {
        errors.push({ pointer: `?${name}`, message: 'must be true or false' });
        continue;
      }
      out[name] = raw === 'true';
    } else {
      out[name] = raw;
    }
  }
  for (const name of spec.required ?? [])
    if (!(name in query)) errors.push({ pointer: `?${name}`, message: `'${name}' is required` });
  if (errors.length === 0) {
    const checked = queryValidator(spec)(out);
    if (!checked.ok)
      for (const e of checked.errors)
        errors.push({ pointer: `?${e.pointer.slice(1)}`, message: e.message });
  }
  if (errors.length > 0)
    throw new HttpProblem(
      'BAD_REQUEST',
      `invalid query: ${errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}`,
      errors,
    );
  return out;
}

const queryValidators = new WeakMap<object, ReturnType<typeof createValidator>>();
function queryValidator(spec: NonNullable<RouteSpec['query']>) {
  let validate = queryValidators.get(spec);
  if (validate === undefined) {
    validate = createValidator({ type: 'object', properties: spec.properties });
    queryValidators.set(spec, validate);
  }
  return validate;
}

const bodyValidators = new WeakMap<object, ReturnType<typeof createValidator>>();
/** Validates a body against its route schema: 422 REQUEST_INVALID with every problem. */
export function validateBody(schema: object, value: unknown): void {
  let validate = bodyValidators.get(schema);
  if (validate === undefined) {
    validate = createValidator(schema);
    bodyValidators.set(schema, validate);
  }
  const checked = validate(value);
  if (!checked.ok)
    throw new HttpProblem(
      'REQUEST_INVALID',
      `the body is invalid: ${checked.errors.map((e) => `${e.pointer || '/'} ${e.message}`).join('; ')}`,
      checked.errors,
    );
}

/** Wraps an async handler so a rejection reaches Express's error middleware. */
export function asyncHandler(fn: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    fn(req, res).catch(next);
  };
}
