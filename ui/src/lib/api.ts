import { token, userName } from "./session";

/** An answer other than 2xx, with Maestro's error body when the server sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

export type Json = Record<string, unknown>;

/** Listeners told when the server asks for a token (401). */
const unauthorized = new Set<() => void>();
export function onUnauthorized(listener: () => void): () => void {
  unauthorized.add(listener);
  return () => unauthorized.delete(listener);
}

function headers(body: boolean): Record<string, string> {
  const found: Record<string, string> = { user: userName() };
  const bearer = token();
  if (bearer) found.authorization = `Bearer ${bearer}`;
  if (body) found["content-type"] = "application/json";
  return found;
}

async function failure(response: Response): Promise<ApiError> {
  let message = `${response.status} ${response.statusText}`;
  let details: string[] = [];
  try {
    const body = (await response.json()) as { message?: unknown; errors?: unknown };
    if (typeof body.message === "string") message = body.message;
    if (Array.isArray(body.errors)) details = body.errors.map(String);
  } catch {
    // not Maestro's body (a proxy's page): the status line says enough
  }
  if (response.status === 401) unauthorized.forEach((listener) => listener());
  return new ApiError(response.status, message, details);
}

export async function request(method: string, path: string, body?: unknown): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: headers(body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, `the server cannot be reached (${String(error)})`);
  }
  if (!response.ok) throw await failure(response);
  return response;
}

export async function call<T = Json>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await request(method, path, body);
  return (await response.json()) as T;
}

export const get = <T = Json>(path: string) => call<T>("GET", path);

/** ``/api/v3`` plus the path, each segment after the first escaped. */
export function api(...segments: (string | number)[]): string {
  return "/api/v3/" + segments.map((part) => encodeURIComponent(String(part))).join("/");
}

export function query(path: string, params: Record<string, string | number | undefined | null>) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

/** A listing page: ``{elements, cursor}`` (Maestoso's listings). */
export interface Page<T> {
  elements: T[];
  cursor: string | null;
}
