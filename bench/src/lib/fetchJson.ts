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
