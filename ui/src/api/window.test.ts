import { describe, expect, it } from "vitest";
import type { Bridge } from "./bridge";
import { rememberRoutes, restoreRoute } from "./window";

function bridge(answers: Record<string, unknown>, calls: [string, unknown][] = []): Bridge {
  return {
    isTauri: () => true,
    invoke: async <T>(command: string, args?: Record<string, unknown>) => {
      calls.push([command, args]);
      return answers[command] as T;
    },
  };
}

describe("restoreRoute", () => {
  it("opens a new window on the page the last one showed", async () => {
    const location = { hash: "" };
    await restoreRoute(location, bridge({ last_route: "history" }));
    expect(location.hash).toBe("#/history");
  });

  it("keeps a page the address already names, and the default when none was kept", async () => {
    const named = { hash: "#/settings" };
    await restoreRoute(named, bridge({ last_route: "history" }));
    expect(named.hash).toBe("#/settings");
    const fresh = { hash: "" };
    await restoreRoute(fresh, bridge({ last_route: null }));
    expect(fresh.hash).toBe("");
  });

  it("ignores an answer that is not a page", async () => {
    const location = { hash: "" };
    await restoreRoute(location, bridge({ last_route: "nowhere" }));
    expect(location.hash).toBe("");
  });
});

describe("rememberRoutes", () => {
  it("tells the shell the current page, then each page shown", () => {
    const calls: [string, unknown][] = [];
    const listeners: (() => void)[] = [];
    const target = {
      location: { hash: "#/playlists" },
      addEventListener: (_: string, f: () => void) => listeners.push(f),
      removeEventListener: () => {},
    } as unknown as Parameters<typeof rememberRoutes>[0];
    rememberRoutes(target, bridge({}, calls));
    (target as { location: { hash: string } }).location.hash = "#/settings";
    for (const f of listeners) f();
    expect(calls).toEqual([
      ["remember_route", { route: "playlists" }],
      ["remember_route", { route: "settings" }],
    ]);
  });
});
