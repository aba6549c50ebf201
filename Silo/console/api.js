// Calls the gateway's HTTP API (same origin) and turns problem+json answers into errors that say why.
// A 401/403 from admin opens the key prompt: the console signs in with POST /admin/session, whose HttpOnly cookie
// then authorizes every call; the key itself is never stored by the page.

export class ApiError extends Error {
  constructor(path, status, problem) {
    super(describe(path, status, problem));
    this.status = status;
    this.problem = problem;
  }
}

function describe(path, status, problem) {
  if (problem && typeof problem === "object" && (problem.detail || problem.title)) {
    return `${path} answered ${status}: ${problem.detail ?? problem.title}`;
  }
  return `${path} answered ${status}`;
}

const listeners = new Set();

/** Called with (status, problem) whenever the API refuses the caller (401 or 403). */
export function onRefused(listener) { listeners.add(listener); }

async function readBody(response) {
  const text = await response.text();
  if (!text) return null;
  try { return JSON.parse(text); } catch { return text; }
}

/** Calls the API; resolves to the parsed JSON answer (null when empty), rejects with an ApiError. */
export async function api(path, { method = "GET", body, headers = {} } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers }, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const answer = await readBody(response);
  if (response.status === 401 || response.status === 403) {
    for (const listener of listeners) listener(response.status, answer);
  }
  if (!response.ok) throw new ApiError(path, response.status, answer);
  return answer;
}

/** Like api(), but answers {status, body} for every status instead of throwing (for invoke, which reports failures). */
export async function call(path, { method = "POST", body } = {}) {
  const response = await fetch(path, {
    method,
    headers: { Accept: "application/json", "Content-Type": "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  const answer = await readBody(response);
  if (response.status === 401 || response.status === 403) {
    for (const listener of listeners) listener(response.status, answer);
  }
  return { status: response.status, body: answer };
}

/** Starts an admin session from a key; rejects with an ApiError saying why the key was refused. */
export async function signIn(key) {
  const response = await fetch("admin/session", { method: "POST", headers: { "X-Api-Key": key }, credentials: "same-origin" });
  if (!response.ok) throw new ApiError("admin/session", response.status, await readBody(response));
}

export async function signOut() {
  await fetch("admin/session", { method: "DELETE", credentials: "same-origin" });
}
