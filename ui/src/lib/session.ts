// Who the UI calls the API as. A token (``--auth token`` servers) lives in sessionStorage, so
// it is gone when the tab closes; the user name sent in Maestro's ``user`` header (``--auth
// none``) is only a label and is kept in localStorage.
const TOKEN = "maestoso.token";
const USER = "maestoso.user";

export function token(): string | null {
  return sessionStorage.getItem(TOKEN);
}

export function setToken(value: string | null): void {
  if (value) sessionStorage.setItem(TOKEN, value.trim());
  else sessionStorage.removeItem(TOKEN);
}

export function userName(): string {
  return localStorage.getItem(USER) || "web-ui";
}

export function setUserName(value: string): void {
  localStorage.setItem(USER, value.trim());
}
