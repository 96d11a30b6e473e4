/** A small JSON client over fetch for the integration tests. */

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  /** Sent as is (not JSON-encoded) when a string. */
  body?: unknown;
  headers?: Record<string, string>;
}

export async function request<T = any>(method: string, url: string, options: RequestOptions = {}): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (e.g. /metrics): keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}

/** Calls against one base URL. */
export function client(baseUrl: string) {
  return {
    get: <T = any>(path: string) => request<T>('GET', baseUrl + path),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => request<T>('POST', baseUrl + path, { body, headers }),
    delete: <T = any>(path: string) => request<T>('DELETE', baseUrl + path),
  };
}

export type Client = ReturnType<typeof client>;
