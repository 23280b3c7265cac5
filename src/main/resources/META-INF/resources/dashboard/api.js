// The REST API under /api/v1, with the bearer token kept in sessionStorage (never a URL, never a cookie).
const KEY = 'lifeboat.token';

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: (t) => sessionStorage.setItem(KEY, t),
  clear: () => sessionStorage.removeItem(KEY),
};

/** An API error: the problem+json detail, or a sentence saying what failed. */
export class ApiError extends Error {
  constructor(status, detail, problem) {
    super(detail);
    this.status = status;
    this.problem = problem;
  }
}

export async function api(path, { method = 'GET', body, bearer } = {}) {
  const t = bearer ?? token.get();
  const headers = { Accept: 'application/json, application/problem+json' };
  if (t) headers.Authorization = 'Bearer ' + t;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    // Relative to the page, so the dashboard also works under a proxy's path prefix or quarkus.http.root-path.
    res = await fetch('api/v1' + path, {
      method, headers, cache: 'no-store', credentials: 'omit',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, `Lifeboat did not answer (${method} /api/v1${path}): ${e.message}. Is it running?`);
  }
  if (res.status === 204) return null;
  let data = null;
  if ((res.headers.get('Content-Type') || '').includes('json')) {
    try { data = await res.json(); } catch { data = null; }
  }
  if (!res.ok) {
    const detail = data && data.detail ? data.detail
      : `${method} /api/v1${path} answered ${res.status} ${res.statusText || ''}`.trim() + '.';
    throw new ApiError(res.status, detail, data);
  }
  return data;
}
