// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { Outcome } from "../api/bridge";
import type { UpdatesApi, UpdateView } from "../api/updates";
import { Updates } from "./Updates";

afterEach(() => {
  cleanup();
});

function api(
  status: UpdateView,
  check: Outcome<UpdateView>,
  install: Outcome<UpdateView> = { ok: true, value: AVAILABLE },
): UpdatesApi {
  return {
    isAvailable: () => true,
    status: async () => ({ ok: true, value: status }),
    check: async () => check,
    install: async () => install,
  };
}

const AVAILABLE: UpdateView = {
  state: "available",
  current_version: "0.1.0",
  version: "0.2.0",
  notes: "Faster syncs.",
  date: "2026-12-01T12:00:00Z",
};

describe("Updates", () => {
  it("says a build without a feed has no updates, and offers no check", async () => {
    render(
      <Updates
        api={api({ state: "not_configured", current_version: "0.1.0" }, { ok: false, message: "" })}
      />,
    );
    expect(await screen.findByTestId("update-status")).toHaveProperty(
      "textContent",
      expect.stringContaining("Updates are not configured for this build"),
    );
    expect(screen.getByTestId("update-version").textContent).toContain("0.1.0");
    expect(screen.queryByTestId("update-check")).toBeNull();
  });

  it("finds a newer version and offers to install it", async () => {
    render(
      <Updates
        api={api({ state: "unchecked", current_version: "0.1.0" }, { ok: true, value: AVAILABLE })}
      />,
    );
    fireEvent.click(await screen.findByTestId("update-check"));
    await waitFor(() =>
      expect(screen.getByTestId("update-status").textContent).toContain("0.2.0 is available"),
    );
    expect(screen.getByTestId("update-install").textContent).toBe("Install and restart");
  });

  it("says plainly that a tampered update was refused", async () => {
    render(
      <Updates
        api={api(
          AVAILABLE,
          { ok: true, value: AVAILABLE },
          {
            ok: true,
            value: {
              state: "refused",
              current_version: "0.1.0",
              version: "0.2.0",
              message: "The download of Syncer 0.2.0 was refused: its signature does not match.",
            },
          },
        )}
      />,
    );
    fireEvent.click(await screen.findByTestId("update-install"));
    const problem = await screen.findByTestId("update-problem");
    expect(problem.textContent).toContain("Keep using this version.");
    expect(problem.textContent).toContain("signature does not match");
    expect(screen.getByTestId("update-status").textContent).toContain("0.2.0 was not installed");
    expect(screen.queryByTestId("update-install")).toBeNull();
  });
});
