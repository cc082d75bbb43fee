/**
 * The OpenAPI fuzz (issue 11): every operation of the document the app serves gets valid requests
 * (built from its schemas, aimed at a real board) and requests that break one thing each: a field's
 * type or size, nesting, unicode, the Content-Type, Content-Encoding or charset, the token, a path
 * or query parameter. For every answer: no 5xx, every 4xx is a problem+json with the API's fields,
 * and a refused request changed nothing (no event appended, no table of the database changed).
 * Fixed seed, bounded count: the same requests on every run (the README's tests table gives the
 * count); OPENAPI_FUZZ_SEED=<n> runs another seed to explore. Every route the API router serves
 * must be in the document, so a new route cannot escape the fuzz.
 */
import http from 'node:http';
import { createTokenService } from '@primetrade/platform';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBoardApiHarness, type BoardApiHarness } from '../boards/boardApi.testkit.js';
import type { RegisteredUser } from './app.testkit.js';
import {
  badPathValues,
  deeplyNested,
  encodeBody,
  nastyStrings,
  operationsOf,
  queryString,
  validValue,
  wrongValue,
  type Operation,
  type Schema,
} from './openapiFuzz.testkit.js';

/** Fixed, so every run sends the same requests; OPENAPI_FUZZ_SEED explores others (then fix what they find). */
const seed = Number(process.env['OPENAPI_FUZZ_SEED'] ?? 20_261_206);
/** Requests per operation: valid ones, then ones with one thing broken. */
const validPerOperation = 6;
const invalidPerOperation = 30;
/** The test app's token secret (app.testkit.ts), to mint expired tokens. */
const testSecret = 'test-secret-of-at-least-32-characters!';

interface FuzzRequest {
  readonly label: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

interface FuzzResponse {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

interface Fixture {
  readonly admin: RegisteredUser;
  readonly owner: RegisteredUser;
  readonly member: RegisteredUser;
  readonly outsider: RegisteredUser;
  /** Targets of the admin's user changes (role, disable, delete). */
  readonly victims: readonly RegisteredUser[];
  /** A board member whose role may change and who may be removed. */
  readonly spareMember: RegisteredUser;
  readonly boardId: string;
  /** A second board of the owner's, to archive and restore. */
  readonly spareBoardId: string;
  readonly columnIds: readonly string[];
  readonly spareColumnIds: readonly string[];
  readonly taskIds: readonly string[];
  readonly spareTaskIds: readonly string[];
  readonly commentIds: readonly string[];
  readonly spareCommentIds: readonly string[];
  readonly notificationIds: readonly string[];
  /** Refresh tokens of a throwaway session: valid refreshes rotate `refreshToken`, logouts use the spares. */
  session: { refreshToken: string; readonly spares: string[] };
  readonly tokens: Readonly<
    Record<
      'none' | 'garbage' | 'basic' | 'forged' | 'expired' | 'algNone' | 'unknownUser' | 'empty',
      string | undefined
    >
  >;
}

let api: BoardApiHarness;
let fixture: Fixture;
let origin: { host: string; port: number };

// ---------------------------------------------------------------------------------------------
// Sending requests exactly as built (fetch would normalise `..` and re-encode the path).

function send(request: FuzzRequest): Promise<FuzzResponse> {
  return new Promise((resolve) => {
    const headers = { ...request.headers, ...(request.body ? { 'content-length': String(request.body.length) } : {}) };
    // A connection of its own (no keep-alive agent): a reset then means the server dropped this request.
    const outgoing = http.request(
      { ...origin, agent: false, method: request.method, path: request.path, headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: response.headers['content-type'] ?? '',
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', (error: NodeJS.ErrnoException) =>
          resolve({ status: 0, contentType: '', text: `answer cut: ${error.code ?? error.message}` }),
        );
      },
    );
    // A connection dropped without an answer is a complaint about the request, not a crash of the run.
    outgoing.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ status: 0, contentType: '', text: `no answer: ${error.code ?? error.message}` }),
    );
    outgoing.end(request.body);
  });
}

// ---------------------------------------------------------------------------------------------
// What must hold for every answer.

const problemFields = {
  type: 'string',
  title: 'string',
  status: 'number',
  code: 'string',
  detail: 'string',
  instance: 'string',
  requestId: 'string',
} as const;

/** Why the answer breaks the API's promises, or null. */
function complaintAbout(response: FuzzResponse): string | null {
  if (response.status === 0) return response.text;
  if (response.status >= 500) return `answered ${response.status}: ${response.text.slice(0, 200)}`;
  if (response.status < 400) return null;
  if (!response.contentType.startsWith('application/problem+json'))
    return `${response.status} as ${response.contentType || 'no content type'}: ${response.text.slice(0, 200)}`;
  let problem: Record<string, unknown>;
  try {
    problem = JSON.parse(response.text) as Record<string, unknown>;
  } catch {
    return `${response.status} problem is not JSON: ${response.text.slice(0, 200)}`;
  }
  for (const [field, type] of Object.entries(problemFields)) {
    if (typeof problem[field] !== type)
      return `${response.status} problem without ${field}: ${response.text.slice(0, 200)}`;
  }
  if (problem['status'] !== response.status)
    return `problem status ${String(problem['status'])} on a ${response.status}`;
  if (problem['type'] !== `urn:primetrade:problem:${String(problem['code'])}`)
    return `problem type ${String(problem['type'])} does not name code ${String(problem['code'])}`;
  if (!/^[A-Z_]+(\.[A-Z_]+)*$/.test(String(problem['code'])))
    return `problem code ${String(problem['code'])} is not a stable code`;
  return null;
}

/**
 * A digest of every table of the database but `idempotency_keys`, and that table's row count apart:
 * a refused request sent with an Idempotency-Key is stored for replay on purpose (http/idempotency.ts),
 * one without must not touch it either. One round trip; tables are listed on each call, so a
 * read-model rebuild's fresh tables are seen.
 */
const digestFunction = `
CREATE OR REPLACE FUNCTION fuzz_database_digest() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  t record;
  part text;
  whole text := '';
BEGIN
  FOR t IN SELECT table_schema, table_name FROM information_schema.tables
           WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
             AND table_name <> 'idempotency_keys'
           ORDER BY table_schema, table_name LOOP
    EXECUTE format('SELECT md5(coalesce(string_agg(r::text, %L ORDER BY r::text), %L)) FROM %I.%I r', ',', '', t.table_schema, t.table_name) INTO part;
    whole := whole || t.table_name || ':' || part || ';';
  END LOOP;
  RETURN md5(whole);
END $$`;

interface StateMark {
  readonly database: string;
  readonly idempotencyKeys: number;
  readonly eventCount: number;
}

async function markState(): Promise<StateMark> {
  const [row] = await api.sql.query<{ digest: string; keys: number }>(
    'SELECT fuzz_database_digest() AS digest, (SELECT count(*)::int FROM idempotency_keys) AS keys',
  );
  return {
    database: row?.digest ?? '',
    idempotencyKeys: row?.keys ?? 0,
    eventCount: (await api.store.readAll()).length,
  };
}

/** What a refused request changed, if anything. */
function changesOf(request: FuzzRequest, before: StateMark, after: StateMark): string[] {
  const changes: string[] = [];
  if (after.eventCount !== before.eventCount) changes.push(`appended ${after.eventCount - before.eventCount} event(s)`);
  if (after.database !== before.database) changes.push('changed the database');
  if (after.idempotencyKeys !== before.idempotencyKeys && request.headers['idempotency-key'] === undefined)
    changes.push('stored an idempotency key it was not sent');
  return changes;
}

// ---------------------------------------------------------------------------------------------
// Valid requests: ids from the fixture, chosen by the operation (destructive ones hit spares).

const isOneOf = (operation: Operation, ...keys: string[]) => keys.includes(operation.key.replace('/api/v1', ''));

function pathIds(operation: Operation, name: string): readonly string[] {
  const f = fixture;
  switch (name) {
    case 'boardId':
      return isOneOf(operation, 'DELETE /boards/{boardId}', 'POST /boards/{boardId}/restore')
        ? [f.spareBoardId]
        : [f.boardId];
    case 'columnId':
      return isOneOf(operation, 'DELETE /boards/{boardId}/columns/{columnId}') ? f.spareColumnIds : f.columnIds;
    case 'taskId':
      return isOneOf(operation, 'DELETE /tasks/{taskId}', 'POST /tasks/{taskId}/archive') ? f.spareTaskIds : f.taskIds;
    case 'commentId':
      return isOneOf(operation, 'DELETE /tasks/{taskId}/comments/{commentId}') ? f.spareCommentIds : f.commentIds;
    case 'userId':
      return [f.spareMember.user.id];
    case 'id':
      return operation.template.includes('/notifications/')
        ? f.notificationIds
        : f.victims.map((victim) => victim.user.id);
    default:
      return [];
  }
}

/** Ids a body or query field may name. */
function fieldIds(operation: Operation, name: string): readonly string[] {
  const f = fixture;
  switch (name) {
    case 'userId':
      return isOneOf(operation, 'POST /boards/{boardId}/members')
        ? [f.spareMember.user.id, f.victims[0]?.user.id ?? '']
        : [f.member.user.id];
    case 'assigneeId':
    case 'assigneeIds':
    case 'actorId':
      return [f.owner.user.id, f.member.user.id];
    case 'columnId':
    case 'beforeColumnId':
    case 'afterColumnId':
      return f.columnIds;
    case 'taskId':
    case 'beforeTaskId':
    case 'afterTaskId':
      return f.taskIds;
    default:
      return [];
  }
}

/** The user a valid request is sent as: admins for admin routes, mostly the owner elsewhere. */
function userFor(operation: Operation): fc.Arbitrary<RegisteredUser> {
  if (operation.template.includes('/admin/')) return fc.constant(fixture.admin);
  return fc.oneof(
    { weight: 5, arbitrary: fc.constant(fixture.owner) },
    { weight: 2, arbitrary: fc.constantFrom(fixture.member, fixture.admin, fixture.outsider) },
  );
}

interface Parts {
  readonly params: Record<string, string>;
  readonly query: (readonly [string, string, boolean?])[];
  readonly body: unknown;
  readonly token: string | undefined;
  readonly headers: Record<string, string>;
  /** Sent instead of `body` as JSON. */
  readonly rawBody?: Buffer;
  readonly label: string;
}

/** Bodies only a fixture can make valid (credentials, live refresh tokens). */
function specialBody(operation: Operation): fc.Arbitrary<unknown> | null {
  if (isOneOf(operation, 'POST /auth/login'))
    return fc.constant({ email: fixture.member.email, password: fixture.member.password });
  if (isOneOf(operation, 'POST /auth/refresh')) return fc.constant('refresh');
  if (isOneOf(operation, 'POST /auth/logout')) return fc.constant('logout');
  return null;
}

function validParts(operation: Operation): fc.Arbitrary<Parts> {
  const params: Record<string, fc.Arbitrary<string>> = {};
  const query: Record<string, fc.Arbitrary<string>> = {};
  for (const parameter of operation.parameters) {
    if (parameter.in === 'path') params[parameter.name] = fc.constantFrom(...pathIds(operation, parameter.name));
    if (parameter.in === 'query')
      query[parameter.name] = validValue(parameter.schema, parameter.name, (name) => fieldIds(operation, name)).map(
        String,
      );
  }
  const body = operation.body
    ? (specialBody(operation) ?? validValue(operation.body, 'body', (name) => fieldIds(operation, name)))
    : fc.constant(undefined);
  return fc
    .record({
      params: fc.record(params),
      query: fc
        .record(query, { requiredKeys: [] })
        .map((entries) =>
          Object.entries(entries).flatMap(([key, value]) => (value === undefined ? [] : [[key, value] as const])),
        ),
      body,
      user: userFor(operation),
    })
    .map(({ params: p, query: q, body: b, user }) => ({
      params: p,
      query: q,
      body: b,
      token: operation.auth ? user.accessToken : undefined,
      headers: {},
      label: 'valid',
    }));
}

// ---------------------------------------------------------------------------------------------
// Breaking one thing.

type Mutation = (parts: Parts, operation: Operation) => fc.Arbitrary<Parts>;

const withLabel = (parts: Parts, label: string, change: Partial<Parts>): Parts => ({ ...parts, ...change, label });

const breakToken: Mutation = (parts) =>
  fc.constantFrom(...(Object.keys(fixture.tokens) as (keyof Fixture['tokens'])[])).map((kind) =>
    withLabel(parts, `token ${kind}`, {
      token: undefined,
      headers: {
        ...parts.headers,
        ...(fixture.tokens[kind] === undefined ? {} : { authorization: fixture.tokens[kind] }),
      },
    }),
  );

/**
 * Real ids, but of another kind than the parameter names (a task's id as a board's): they must be
 * refused like unknown ones. Never the fixture's own ids of the same kind, which would aim admin
 * and archive routes at the fixture itself.
 */
function idsOfAnotherKind(name: string): string[] {
  const f = fixture;
  const board = f.boardId;
  const task = f.taskIds[0] ?? board;
  switch (name) {
    case 'boardId':
      return [task, f.owner.user.id];
    case 'taskId':
      return [board, f.commentIds[0] ?? board];
    case 'columnId':
    case 'commentId':
      return [task, board];
    default:
      return [board, task];
  }
}

const breakPathParam: Mutation = (parts, operation) => {
  const names = operation.parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name);
  if (names.length === 0) return breakQuery(parts, operation);
  return fc
    .constantFrom(...names)
    .chain((name) =>
      fc
        .oneof(fc.constantFrom(...badPathValues), fc.uuid({ version: 4 }), fc.constantFrom(...idsOfAnotherKind(name)))
        .map((value) => [name, value] as const),
    )
    .map(([name, value]) =>
      withLabel(parts, `path ${name}=${value.slice(0, 40)}`, { params: { ...parts.params, [name]: value } }),
    );
};

const badQueryValue = fc.oneof(
  fc.constantFrom(...nastyStrings).map((value) => [value, false] as const),
  fc.constantFrom('%zz', '%', '%ED%A0%80', '%C0%AF', '%FF%FE', 'a%00b').map((value) => [value, true] as const),
  fc
    .constantFrom('-1', '0', '1.5', '1e3', '99999999999999999999', 'true', '[]', '{}', 'x'.repeat(3_000))
    .map((value) => [value, false] as const),
);

/** Cursors in the API's own encodings (base64url of text or of `[key, id]`) holding what no page could. */
const forgedCursors: readonly string[] = [
  Buffer.from([0x61, 0x00, 0x62]),
  Buffer.from([0xff, 0xfe, 0x61]),
  Buffer.from('["a\u0000b","6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"]'),
  Buffer.from('["\ud800","6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"]'),
  Buffer.from('[null,"6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"]'),
  Buffer.from('["99999999999999999999","6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"]'),
  Buffer.from('["-1e400","6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"]'),
  Buffer.from('["9999-12-31T23:59:59.999999Z","x"]'),
  Buffer.from('[{"a":1},"6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"]'),
  Buffer.from('[]'),
  Buffer.from('["urgent","6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"]'),
  Buffer.from('["' + 'x'.repeat(300) + '","6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"]'),
].map((bytes) => bytes.toString('base64url'));

const breakCursor: Mutation = (parts) =>
  fc.constantFrom(...forgedCursors).map((cursor) =>
    withLabel(parts, `query forged cursor ${cursor.slice(0, 20)}`, {
      query: [...parts.query.filter(([key]) => key !== 'cursor'), ['cursor', cursor]],
    }),
  );

const breakQuery: Mutation = (parts, operation) => {
  const names = operation.parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
  if (names.includes('cursor') && parts.query.length % 3 === 0) return breakCursor(parts, operation);
  return fc
    .tuple(fc.constantFrom(...names, '__proto__', 'unknown', 'constructor'), badQueryValue, fc.boolean())
    .map(([name, [value, raw], repeat]) => {
      const others = parts.query.filter(([key]) => key !== name);
      const entries = [...others, [name, value, raw] as const, ...(repeat ? [[name, '1'] as const] : [])];
      return withLabel(parts, `query ${name}=${value.slice(0, 40)}${repeat ? ' (repeated)' : ''}`, { query: entries });
    });
};

/** A body that breaks the schema in one field, or as a whole. */
const breakBodyValue: Mutation = (parts, operation) => {
  const schema: Schema = operation.body ?? { type: 'object', properties: {} };
  const body =
    typeof parts.body === 'object' && parts.body !== null && !Array.isArray(parts.body)
      ? (parts.body as Record<string, unknown>)
      : {};
  const fields = Object.keys(schema.properties ?? {});
  const required = schema.required ?? [];
  const options: fc.Arbitrary<Parts>[] = [
    fc
      .tuple(fc.constantFrom('extra', '__proto__', 'constructor', 'id', 'ownerId', 'role'), wrongValue)
      .map(([key, value]) =>
        withLabel(parts, `body extra field ${key}`, {
          rawBody: Buffer.from(
            JSON.stringify({ ...body }).replace(
              /^\{/,
              `{${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}${Object.keys(body).length > 0 ? ',' : ''}`,
            ),
          ),
        }),
      ),
    fc
      .constantFrom<unknown>(null, 42, 'text', true, [], [body], '\uD800')
      .map((value) => withLabel(parts, `body is ${JSON.stringify(value)}`, { body: value })),
    fc
      .constantFrom(40, 5_000, 100_000)
      .map((depth) => withLabel(parts, `body nested ${depth} deep`, { rawBody: Buffer.from(deeplyNested(depth)) })),
    fc.constantFrom(20_000, 200_000).map((length) =>
      withLabel(parts, `body with a ${length}-item array`, {
        body: { ...body, [fields[0] ?? 'x']: Array.from({ length }, () => 1) },
      }),
    ),
    fc.constantFrom(70_000, 1_000_000).map((length) =>
      withLabel(parts, `body with a ${length}-character string`, {
        body: { ...body, [fields[0] ?? 'x']: 'é'.repeat(length) },
      }),
    ),
  ];
  if (fields.length > 0) {
    options.push(
      fc
        .tuple(fc.constantFrom(...fields), wrongValue)
        .map(([field, value]) => withLabel(parts, `body ${field} wrong`, { body: { ...body, [field]: value } })),
      fc
        .tuple(fc.constantFrom(...fields), fc.constantFrom(...nastyStrings))
        .map(([field, value]) =>
          withLabel(parts, `body ${field}=${JSON.stringify(value)}`, { body: { ...body, [field]: value } }),
        ),
    );
  }
  if (required.length > 0) {
    options.push(
      fc.constantFrom(...required).map((field) => {
        const rest = { ...body };
        delete rest[field];
        return withLabel(parts, `body without ${field}`, { body: rest });
      }),
    );
  }
  return fc.oneof(...options);
};

/** Bytes that are not what a JSON parser expects. */
const breakBodyBytes: Mutation = (parts) => {
  const json = JSON.stringify(parts.body ?? {});
  const field = json.match(/"([^"]+)":"/)?.[1] ?? 'name';
  return fc
    .constantFrom<[string, Buffer]>(
      ['truncated JSON', Buffer.from(json.slice(0, Math.max(1, json.length - 2)))],
      ['lone surrogate escape', Buffer.from(`{"${field}":"\\ud800x"}`)],
      ['lone surrogate key', Buffer.from('{"\\udc00":1}')],
      ['NUL escape', Buffer.from(`{"${field}":"a\\u0000b"}`)],
      [
        'overlong UTF-8',
        Buffer.concat([Buffer.from(`{"${field}":"`), Buffer.from([0xc0, 0xaf, 0xe0, 0x80, 0xaf]), Buffer.from('"}')]),
      ],
      [
        'invalid UTF-8',
        Buffer.concat([Buffer.from(`{"${field}":"`), Buffer.from([0xff, 0xfe, 0xed, 0xa0, 0x80]), Buffer.from('"}')]),
      ],
      ['byte order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)])],
      ['UTF-16 body', Buffer.from(json, 'utf16le')],
      ['duplicate keys', Buffer.from(`{"${field}":1,"${field}":"x"}`)],
      ['empty body', Buffer.alloc(0)],
      ['whitespace body', Buffer.from(' \n ')],
      ['number overflow', Buffer.from(`{"${field}":1e999999}`)],
      ['trailing garbage', Buffer.from(`${json}xyz`)],
      ['not JSON', Buffer.from('name=x&title=y')],
    )
    .map(([label, bytes]) => withLabel(parts, `body ${label}`, { rawBody: bytes }));
};

const contentTypes = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json; charset=bogus',
  'application/json;;',
  'application/merge-patch+json',
  'application/problem+json',
  'APPLICATION/JSON',
  'application/json, text/plain',
  '*/*',
  'application/',
  ';',
  'application/json; charset="utf-8"',
  'application/vnd.api+json; charset=UTF-8',
];

const breakEncoding: Mutation = (parts) => {
  const json = JSON.stringify(parts.body ?? {});
  return fc.oneof(
    fc.constantFrom(...contentTypes).map((type) =>
      withLabel(parts, `content-type ${type}`, {
        rawBody: Buffer.from(json),
        headers: { ...parts.headers, 'content-type': type },
      }),
    ),
    fc
      .constantFrom('gzip', 'deflate', 'br', 'x-gzip', 'zstd', 'identity', 'gzip, br', 'compress', 'bogus')
      .chain((encoding) =>
        fc.constantFrom('garbage', 'valid', 'empty').map((kind) => {
          const canEncode = encoding === 'gzip' || encoding === 'deflate' || encoding === 'br';
          const bytes =
            kind === 'garbage'
              ? Buffer.from('definitely not compressed \u0000\u00ff')
              : kind === 'empty'
                ? Buffer.alloc(0)
                : canEncode
                  ? encodeBody(json, encoding)
                  : Buffer.from(json);
          return withLabel(parts, `content-encoding ${encoding} ${kind}`, {
            rawBody: bytes,
            headers: { ...parts.headers, 'content-encoding': encoding },
          });
        }),
      ),
    fc.constant(
      withLabel(parts, 'gzip bomb', {
        rawBody: encodeBody(' '.repeat(10_000_000), 'gzip'),
        headers: { ...parts.headers, 'content-encoding': 'gzip' },
      }),
    ),
  );
};

const breakHeaders: Mutation = (parts) =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .constantFrom(
          'x',
          '-1',
          '1e3',
          'ffffffff-ffff-4fff-bfff-ffffffffffff:1',
          `${fixture.boardId}:99999999999999999999`,
          `${fixture.boardId}:-1`,
          Array.from({ length: 40 }, () => `${fixture.boardId}:1`).join(','),
          '99999999',
          ':',
          ',,,',
        )
        .map((value) =>
          withLabel(parts, `min-revision ${value.slice(0, 40)}`, {
            headers: { ...parts.headers, 'min-revision': value },
          }),
        ),
    },
    {
      weight: 3,
      arbitrary: fc
        .constantFrom('', ' ', 'x'.repeat(300), '%00', 'é', '😀', '00000000-0000-0000-0000-000000000000')
        .map((value) =>
          withLabel(parts, `idempotency-key ${value.slice(0, 20)}`, {
            headers: { ...parts.headers, 'idempotency-key': encodeURIComponent(value) },
          }),
        ),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('application/xml', 'text/html', 'image/png', '*/*;q=0')
        .map((accept) => withLabel(parts, `accept ${accept}`, { headers: { ...parts.headers, accept } })),
    },
    // Beyond Node's 16 KiB for the request line and headers: refused before the app runs.
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        withLabel(parts, 'a 20 KB header', { headers: { ...parts.headers, 'x-filler': 'a'.repeat(20_000) } }),
        withLabel(parts, 'a 20 KB query', { query: [...parts.query, ['filler', 'b'.repeat(20_000)]] }),
      ),
    },
  );

function mutationsFor(operation: Operation): Mutation[] {
  const hasQuery = operation.parameters.some((parameter) => parameter.in === 'query');
  const hasPath = operation.parameters.some((parameter) => parameter.in === 'path');
  const sendsBody = operation.method !== 'GET';
  return [
    ...(operation.auth ? [breakToken, breakToken] : []),
    ...(hasPath ? [breakPathParam, breakPathParam] : []),
    ...(hasQuery ? [breakQuery, breakQuery] : []),
    ...(operation.body
      ? [breakBodyValue, breakBodyValue, breakBodyValue, breakBodyBytes]
      : sendsBody
        ? [breakBodyBytes]
        : []),
    ...(sendsBody ? [breakEncoding] : []),
    breakHeaders,
  ];
}

function invalidParts(operation: Operation): fc.Arbitrary<Parts> {
  const mutations = mutationsFor(operation);
  return fc
    .tuple(validParts(operation), fc.constantFrom(...mutations))
    .chain(([parts, mutate]) => mutate(parts, operation));
}

// ---------------------------------------------------------------------------------------------
// From parts to a request.

function toRequest(operation: Operation, parts: Parts): FuzzRequest {
  const path =
    operation.template.replace(/\{([^}]+)\}/g, (_, name: string) => parts.params[name] ?? name) +
    queryString(parts.query);
  const headers: Record<string, string> = {
    ...(parts.token ? { authorization: `Bearer ${parts.token}` } : {}),
    ...parts.headers,
  };
  let body = parts.rawBody;
  if (body === undefined && parts.body !== undefined) body = Buffer.from(liveBody(parts.body));
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  return {
    label: `${operation.key} [${parts.label}]`,
    method: operation.method,
    path,
    headers,
    ...(body === undefined ? {} : { body }),
  };
}

/** The fixture's live refresh tokens are read when the request is sent (refreshes rotate them). */
function liveBody(body: unknown): string {
  if (body === 'refresh') return JSON.stringify({ refreshToken: fixture.session.refreshToken });
  if (body === 'logout') return JSON.stringify({ refreshToken: fixture.session.spares.pop() ?? 'x'.repeat(43) });
  return JSON.stringify(body);
}

// ---------------------------------------------------------------------------------------------
// The fixture: users of every kind, a board with columns, tasks and comments, notifications.

async function created(
  method: string,
  path: string,
  as: RegisteredUser,
  body?: unknown,
): Promise<{ id: string } & Record<string, unknown>> {
  const response = await api.app.request<{ id: string } & Record<string, unknown>>(method, path, {
    token: as.accessToken,
    ...(body === undefined ? {} : { body }),
  });
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

function expiredToken(userId: string): Promise<string> {
  const past = createTokenService({
    secret: testSecret,
    accessTtlSeconds: 60,
    now: () => new Date(api.app.clock.now().getTime() - 24 * 3600_000),
  });
  return past.signAccess({ id: userId, name: 'Old', role: 'admin' }).then((signed) => signed.token);
}

async function buildFixture(): Promise<Fixture> {
  const admin = await api.app.registerUser({ name: 'Ada Admin' });
  const [owner, member, outsider, spareMember, session, ...victims] = await Promise.all(
    ['Olga Owner', 'Max Member', 'Otto Outsider', 'Sam Spare', 'Sid Session', 'Vic One', 'Vic Two'].map((name) =>
      api.app.registerUser({ name }),
    ),
  );
  if (!owner || !member || !outsider || !spareMember || !session) throw new Error('users not registered');
  const spares = await Promise.all(
    [1, 2, 3, 4].map(async () => {
      const login = await api.app.request<{ refreshToken: string }>('POST', '/auth/login', {
        body: { email: session.email, password: session.password },
      });
      return login.body.refreshToken;
    }),
  );
  const board = await created('POST', '/boards', owner, {
    name: 'Fuzz board',
    columns: [
      { name: 'To do' },
      { name: 'Doing', wipLimit: 50 },
      { name: 'Done', isDone: true },
      { name: 'Spare' },
      { name: 'Spare 2' },
    ],
  });
  const boardId = (board['board'] as { id: string }).id;
  const columns = board['columns'] as { id: string; name: string }[];
  for (const user of [member, spareMember])
    await created('POST', `/boards/${boardId}/members`, owner, { userId: user.user.id, role: 'editor' });
  const spareBoard = await created('POST', '/boards', owner, { name: 'Spare board' });
  const task = (title: string) =>
    created('POST', `/boards/${boardId}/tasks`, owner, {
      title,
      assigneeIds: [member.user.id],
      labels: ['fuzz'],
      dueDate: '2026-02-01T00:00:00.000Z',
    });
  const taskIds = [(await task('First')).id, (await task('Second')).id];
  const spareTaskIds = [(await task('Spare one')).id, (await task('Spare two')).id, (await task('Spare three')).id];
  const comment = (body: string) => created('POST', `/tasks/${taskIds[0]}/comments`, member, { body });
  const commentIds = [(await comment('A comment')).id, (await comment('Another')).id];
  const spareCommentIds = [(await comment('Spare comment')).id];
  await created('POST', `/tasks/${taskIds[0]}/comments`, owner, { body: 'From the owner' });
  const notifications = await api.sql.query<{ id: string }>('SELECT id FROM notifications ORDER BY created_at LIMIT 3');
  const columnIds = columns.slice(0, 3).map((column) => column.id);
  return {
    admin,
    owner,
    member,
    outsider,
    victims,
    spareMember,
    boardId,
    spareBoardId: (spareBoard['board'] as { id: string }).id,
    columnIds,
    spareColumnIds: columns.slice(3).map((column) => column.id),
    taskIds,
    spareTaskIds,
    commentIds,
    spareCommentIds,
    notificationIds: notifications.map((row) => row.id),
    session: { refreshToken: session.refreshToken, spares },
    tokens: {
      none: undefined,
      empty: 'Bearer ',
      garbage: 'Bearer abc.def.ghi',
      basic: `Basic ${Buffer.from('a:b').toString('base64')}`,
      forged: `Bearer ${(await createTokenService({ secret: 'another-secret-of-at-least-32-characters', accessTtlSeconds: 900, now: api.app.clock.now }).signAccess({ id: admin.user.id, name: 'x', role: 'admin' })).token}`,
      expired: `Bearer ${await expiredToken(owner.user.id)}`,
      algNone: `Bearer ${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: admin.user.id, role: 'admin', typ: 'access', iss: 'primetrade', aud: 'primetrade-api', exp: 4_000_000_000 })).toString('base64url')}.`,
      unknownUser: `Bearer ${(await api.app.deps.tokens.signAccess({ id: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b', name: 'Ghost', role: 'admin' })).token}`,
    },
  };
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  // The harness projects before a write answers: an unknown task id needs no wait for the read model.
  api = await createBoardApiHarness({ config: { taskLookupWaitMs: 0 } });
  const address = new URL(api.app.url);
  origin = { host: address.hostname, port: Number(address.port) };
  await api.sql.query(digestFunction);
  fixture = await buildFixture();
});
afterAll(async () => api.close());

interface RouterLike {
  readonly opts: { readonly prefix?: string };
  readonly stack: readonly { readonly methods: readonly string[]; readonly path: string }[];
}

/** `METHOD /api/v1/path/{param}` for every route on the API router (the one with the API prefix). */
function apiRouterRoutes(): string[] {
  const prefix = api.app.deps.config.apiPrefix;
  const routers = api.app.app.middleware
    .map((middleware) => (middleware as { router?: RouterLike }).router)
    .filter((router): router is RouterLike => router?.opts.prefix === prefix);
  expect(routers).toHaveLength(1);
  return routers.flatMap((router) =>
    router.stack.flatMap((layer) =>
      layer.methods
        .filter((method) => method !== 'HEAD')
        .map((method) => `${method} ${layer.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`),
    ),
  );
}

/** A rebuild replaces the read-model tables in the background: let it finish before the next request. */
async function settleAfter(operation: Operation, response: FuzzResponse): Promise<void> {
  if (response.status === 200 && isOneOf(operation, 'POST /auth/refresh')) {
    fixture.session.refreshToken = (JSON.parse(response.text) as { refreshToken: string }).refreshToken;
  }
  if (response.status === 202 && isOneOf(operation, 'POST /admin/projections/rebuild')) {
    await vi.waitFor(
      async () => {
        const status = await api.app.request<{ rebuild: { state: string } | null }>('GET', '/admin/projections', {
          token: fixture.admin.accessToken,
        });
        expect(status.body.rebuild?.state).not.toBe('running');
      },
      { timeout: 30_000, interval: 50 },
    );
  }
}

describe('OpenAPI fuzz', () => {
  it('notices a write in its state mark (so an unchanged mark means nothing was written)', async () => {
    const before = await markState();
    await created('POST', `/tasks/${fixture.taskIds[1]}/comments`, fixture.owner, { body: 'Seen by the digest' });
    const after = await markState();
    expect(after.eventCount).toBe(before.eventCount + 1);
    expect(after.database).not.toBe(before.database);
    // A write outside the event store (a login's refresh token) shows too.
    const beforeLogin = await markState();
    await api.app.request('POST', '/auth/login', {
      body: { email: fixture.outsider.email, password: fixture.outsider.password },
    });
    expect((await markState()).database).not.toBe(beforeLogin.database);
  });

  it('finds every route of the API router in the OpenAPI document', async () => {
    const document = await api.app.request<Parameters<typeof operationsOf>[0]>('GET', '/api/v1/openapi.json');
    const documented = new Set(operationsOf(document.body).map((operation) => operation.key));
    const served = apiRouterRoutes();
    expect(served.length).toBeGreaterThan(50);
    // GraphQL is not an OpenAPI operation: its contract is docs/schema.graphql, its bad input the
    // graphql-http audit suite's (docs/adr/0028-graphql-endpoint.md).
    const graphqlPath = `${api.app.deps.config.apiPrefix}/graphql`;
    const graphql = new Set([`GET ${graphqlPath}`, `POST ${graphqlPath}`]);
    expect(served.filter((route) => graphql.has(route))).toHaveLength(2);
    expect(served.filter((route) => !documented.has(route) && !graphql.has(route))).toEqual([]);
  });

  it(`answers every generated request with no 5xx, problem+json refusals and no change on refusal (seed ${seed})`, async () => {
    const document = await api.app.request<Parameters<typeof operationsOf>[0]>('GET', '/api/v1/openapi.json');
    const operations = operationsOf(document.body);
    expect(operations.length).toBeGreaterThan(50);
    const exercised = new Set<string>();
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let count = 0;
    /** The state before the next request: a refused request's state after is the next one's before. */
    let before: StateMark | undefined;
    for (const [index, operation] of operations.entries()) {
      // One valid rebuild: each replaces every read-model table, which takes a while.
      const valid = fc.sample(validParts(operation), {
        seed: seed + index,
        numRuns: isOneOf(operation, 'POST /admin/projections/rebuild') ? 1 : validPerOperation,
      });
      const invalid = fc.sample(invalidParts(operation), { seed: seed + 1_000 + index, numRuns: invalidPerOperation });
      for (const parts of [...valid, ...invalid]) {
        const request = toRequest(operation, parts);
        before ??= await markState();
        const response = await send(request);
        count += 1;
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        exercised.add(operation.key);
        const complaint = complaintAbout(response);
        if (complaint) failures.push(`${request.label} ${request.method} ${request.path.slice(0, 120)}: ${complaint}`);
        await settleAfter(operation, response);
        if (response.status >= 400) {
          const after = await markState();
          for (const change of changesOf(request, before, after))
            failures.push(`${request.label}: refused with ${response.status} but ${change}`);
          before = after;
        } else {
          before = undefined;
        }
      }
    }
    console.log(
      `OpenAPI fuzz: ${count} requests over ${operations.length} operations, seed ${seed}; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`,
    );
    expect(failures.slice(0, 40)).toEqual([]);
    expect([...exercised].sort()).toEqual(operations.map((operation) => operation.key).sort());
    // The fixture survived: the later operations met a live board and enabled accounts, not refusals only.
    const board = await api.app.request('GET', `/boards/${fixture.boardId}`, { token: fixture.member.accessToken });
    expect(board.status).toBe(200);
  }, 600_000);
});
