import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, get, onUnauthorized } from "./api";
import { setToken, setUserName } from "./session";

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStorage.clear();
  localStorage.clear();
});

function stub(status: number, body: unknown) {
  const fetch = vi.fn(async () => new Response(JSON.stringify(body), { status }));
  vi.stubGlobal("fetch", fetch);
  return fetch;
}

const headersOf = (fetch: ReturnType<typeof stub>) =>
  (fetch.mock.calls[0] as unknown as [string, RequestInit])[1].headers as Record<string, string>;

describe("the API client", () => {
  it("sends the user header, and the token when one is set", async () => {
    setUserName("ann");
    let fetch = stub(200, {});
    await get("/api/v3/workflows");
    expect(headersOf(fetch)).toEqual({ user: "ann" });

    setToken("secret-token");
    fetch = stub(200, {});
    await get("/api/v3/workflows");
    expect(headersOf(fetch)).toEqual({ user: "ann", authorization: "Bearer secret-token" });
    expect(sessionStorage.getItem("maestoso.token")).toBe("secret-token");
  });

  it("turns Maestro's error body into an error in words, and asks for a token on 401", async () => {
    const asked = vi.fn();
    const stop = onUnauthorized(asked);
    stub(401, {
      status: "UNAUTHORIZED",
      message: "authentication is required",
      errors: ["authorization: missing"],
      retryable: false,
    });
    const error = await get("/api/v3/workflows").catch((e: unknown) => e);
    stop();
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe("authentication is required");
    expect((error as ApiError).details).toEqual(["authorization: missing"]);
    expect(asked).toHaveBeenCalledOnce();
  });

  it("says when the server cannot be reached", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))),
    );
    await expect(get("/api/v3/workflows")).rejects.toThrow(/cannot be reached/);
  });
});
