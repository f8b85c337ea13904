import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ApiError } from "../lib/api";
import { ErrorBox, Status, Time } from "./common";

describe("common components", () => {
  it("labels a status in words, its colour a class beside them", () => {
    render(<Status status="TIMEOUT_FAILED" />);
    const badge = screen.getByText("TIMEOUT FAILED");
    expect(badge.className).toContain("tone-bad");
  });

  it("shows an API error with every detail", () => {
    render(
      <ErrorBox error={new ApiError(400, "invalid request", ["a.b: is required"])} what="start the run" />,
    );
    expect(screen.getByRole("alert").textContent).toBe(
      "Could not start the run: invalid requesta.b: is required",
    );
  });

  it("shows a time relative to now, the local time on hover", () => {
    const then = Date.now() - 2 * 3_600_000;
    render(<Time ms={then} />);
    const time = screen.getByText(/2 hours ago/);
    expect(time.getAttribute("title")).toBe(
      new Date(then).toLocaleString(undefined, { timeZoneName: "short" }),
    );
    expect(time.getAttribute("tabindex")).toBe("0");
  });
});
