import { describe, expect, it } from "vitest";
import type { AuthorizationStart } from "../bindings/AuthorizationStart";
import { connectionInfo, details } from "../test/fakeConnections";
import {
  type ConnectAction,
  type ConnectFlow,
  connectReducer,
  initialConnectFlow,
  msUntilExpiry,
} from "./connectFlow";
import { needsReconnect, statusBadge } from "./health";

const start: AuthorizationStart = {
  authorize_url: "https://accounts.spotify.com/authorize?state=xyz",
  redirect_uri: "http://127.0.0.1:43123/oauth/spotify",
  channel: "loopback",
  expires_at: 1_000,
};

function run(...actions: ConnectAction[]): ConnectFlow {
  return actions.reduce(connectReducer, initialConnectFlow);
}

const begin: ConnectAction = { type: "start", provider: "spotify", channel: "loopback" };
const started: ConnectAction = { type: "started", provider: "spotify", start };

describe("connectReducer", () => {
  it("goes from starting to waiting with the authorize link", () => {
    expect(run(begin).pending).toEqual({
      phase: "starting",
      provider: "spotify",
      channel: "loopback",
      reconnectOf: null,
    });
    expect(run(begin, started).pending).toEqual({
      phase: "waiting",
      provider: "spotify",
      channel: "loopback",
      reconnectOf: null,
      start,
    });
  });

  it("remembers which connection a reconnect is for", () => {
    const state = run({ ...begin, reconnectOf: "c1" }, started);
    expect(state.pending?.reconnectOf).toBe("c1");
  });

  it("clears the pending state and says so when the connection is added", () => {
    const state = run(begin, started, { type: "added", connection: connectionInfo() });
    expect(state.pending).toBeNull();
    expect(state.error).toBeNull();
    expect(state.notice).toContain("Ada's Spotify");
  });

  it("clears the pending state and keeps the message when the sign-in fails", () => {
    const state = run(begin, started, { type: "failed", message: "You declined access." });
    expect(state).toEqual({ pending: null, error: "You declined access.", notice: null });
  });

  it("shows a failed start_connect", () => {
    const state = run(begin, {
      type: "start_failed",
      provider: "spotify",
      message: "Save a Client ID first.",
    });
    expect(state).toEqual({ pending: null, error: "Save a Client ID first.", notice: null });
  });

  it("ignores a late start_connect answer after the sign-in already ended or was cancelled", () => {
    const added = run(begin, { type: "added", connection: connectionInfo() }, started);
    expect(added.pending).toBeNull();
    expect(added.notice).not.toBeNull();
    expect(run(begin, { type: "cancel" }, started).pending).toBeNull();
  });

  it("cancel only clears the pending UI", () => {
    const state = run(begin, started, { type: "cancel" });
    expect(state.pending).toBeNull();
    expect(state.error).toBeNull();
  });

  it("a new start clears old messages", () => {
    const state = run({ type: "failed", message: "boom" }, begin);
    expect(state.error).toBeNull();
    expect(state.pending?.phase).toBe("starting");
  });

  it("expires only a waiting sign-in of the same provider", () => {
    expect(run(begin, started, { type: "expired", provider: "spotify" }).error).toContain(
      "expired",
    );
    expect(run(begin, { type: "expired", provider: "spotify" }).pending?.phase).toBe("starting");
    expect(run(begin, started, { type: "expired", provider: "other" }).pending?.phase).toBe(
      "waiting",
    );
  });

  it("dismiss clears the messages", () => {
    const state = run({ type: "failed", message: "boom" }, { type: "dismiss" });
    expect(state).toEqual(initialConnectFlow);
  });

  it("an added connection of another provider leaves the pending sign-in alone", () => {
    const state = run(begin, started, {
      type: "added",
      connection: connectionInfo({ provider: "demo", provider_display_name: "Demo" }),
    });
    expect(state.pending?.phase).toBe("waiting");
  });
});

describe("msUntilExpiry", () => {
  it("counts down to expires_at and never below zero", () => {
    expect(msUntilExpiry(start, 400_000)).toBe(600_000);
    expect(msUntilExpiry(start, 2_000_000)).toBe(0);
  });
});

describe("statusBadge and needsReconnect", () => {
  it("reads a healthy connection as ready", () => {
    expect(statusBadge(details())).toEqual({ label: "Ready", tone: "ok" });
    expect(statusBadge(details(undefined, { state: "will_refresh" })).tone).toBe("ok");
    expect(needsReconnect(details())).toBe(false);
  });

  it("asks to reconnect when the stored status or the health says so", () => {
    const stale = details(connectionInfo({ status: "reconnect_needed" }));
    expect(statusBadge(stale)).toEqual({ label: "Reconnect needed", tone: "warning" });
    expect(needsReconnect(stale)).toBe(true);
    expect(needsReconnect(details(undefined, { state: "secret_missing" }))).toBe(true);
    expect(statusBadge(details(undefined, { state: "vault_unavailable" })).tone).toBe("warning");
    expect(needsReconnect(details(undefined, { state: "vault_unavailable" }))).toBe(false);
  });
});
