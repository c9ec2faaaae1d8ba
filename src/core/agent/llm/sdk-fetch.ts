/**
 * The fetch we hand the openai SDK. It exists for two reasons:
 * - the SDK merges $OPENAI_CUSTOM_HEADERS into every request; we send only the SDK's own protocol headers,
 *   our Authorization and the profile's extra_headers, so nothing in the environment changes a request;
 * - on an error status the SDK keeps only a JSON body's `error` field, so the reason servers like FastAPI
 *   (`{"detail": …}`) or older vLLM (`{"message": …}`) give would be lost; we wrap such bodies as `{"error": …}`.
 */
type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Headers the SDK itself sets that are part of the protocol (the rest we set ourselves). */
const SDK_HEADER = /^(accept|content-type|user-agent|x-stainless-[a-z0-9-]+)$/;

const ERROR_TEXT_LIMIT = 500;

export function sdkFetch(authorization: string, extraHeaders: Record<string, string>, base: Fetch = fetch): Fetch {
  return async (input, init) => {
    const headers = new Headers();
    for (const [name, value] of new Headers(init?.headers)) {
      if (SDK_HEADER.test(name)) headers.set(name, value);
    }
    headers.set('authorization', authorization);
    for (const [name, value] of Object.entries(extraHeaders)) headers.set(name, value);
    const response = await base(input, { ...init, headers });
    return response.ok ? response : withErrorEnvelope(response);
  };
}

/** An error response whose body the SDK will turn into a readable message (the body is read here, so rebuilt). */
async function withErrorEnvelope(response: Response): Promise<Response> {
  const text = (await response.text()).trim();
  const parsed = parseJson(text);
  const readable = text === '' || (isRecord(parsed) && Boolean(parsed.error));
  const body = readable ? text : JSON.stringify({ error: { message: reasonIn(parsed, text).slice(0, ERROR_TEXT_LIMIT) } });
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  if (!readable) headers.set('content-type', 'application/json');
  return new Response(body === '' ? null : body, { status: response.status, statusText: response.statusText, headers });
}

/** The human part of an error body: FastAPI's `detail`, a bare `message`, or the whole text. */
function reasonIn(parsed: unknown, text: string): string {
  if (isRecord(parsed)) {
    for (const field of ['message', 'detail']) {
      const value = parsed[field];
      if (typeof value === 'string') return value;
      if (value !== undefined) return JSON.stringify(value);
    }
  }
  return text;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
