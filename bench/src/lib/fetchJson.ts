/** One JSON request with fetch (set-up steps of the benchmarks; the load itself uses cheaper clients). */
export async function fetchJson<T>(
  url: string,
  method: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** One API request timed from its start to the whole answer read (`route` below `/api/v1`). */
export async function timedRequest(
  url: string,
  method: string,
  route: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; ok: boolean; text: string; ms: number; bytes: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/api/v1${route}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  return { status: response.status, ok: response.ok, text, ms, bytes: Buffer.byteLength(text) };
}
