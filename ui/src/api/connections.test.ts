import { describe, expect, it, vi } from "vitest";
import { connectionInfo, details, fakeShell, spotify, vaultStatus } from "../test/fakeConnections";
import {
  CONNECT_FAILED_EVENT,
  CONNECTION_ADDED_EVENT,
  createConnectionsApi,
  defaultConnectionsApi,
  isInUseError,
  toLoadable,
  UNAVAILABLE_MESSAGE,
} from "./connections";

const start = {
  authorize_url: "https://accounts.spotify.com/authorize?client_id=abc&state=xyz",
  redirect_uri: "http://127.0.0.1:43123/oauth/spotify",
  channel: "loopback",
  expires_at: 1_900_000_000,
};

describe("createConnectionsApi", () => {
  it("is unavailable outside the desktop shell, without calling it", async () => {
    const shell = fakeShell({ list_providers: () => [spotify] }, false);
    const api = createConnectionsApi(shell.bridge);
    expect(api.isAvailable()).toBe(false);
    await expect(api.listProviders()).resolves.toEqual({
      ok: false,
      message: UNAVAILABLE_MESSAGE,
    });
    const unlisten = await api.onConnectionAdded(() => {});
    unlisten();
    expect(shell.calls).toEqual([]);
    expect(shell.listeners(CONNECTION_ADDED_EVENT)).toBe(0);
  });

  it("is unavailable with the real bridge under Vitest (no Tauri globals)", async () => {
    expect(defaultConnectionsApi.isAvailable()).toBe(false);
    expect((await defaultConnectionsApi.listConnections()).ok).toBe(false);
  });

  it("calls each command by name with camelCase arguments", async () => {
    const shell = fakeShell({
      list_providers: () => [spotify],
      list_connections: () => [details()],
      get_client_id: () => "abc",
      set_client_id: () => null,
      start_connect: () => start,
      open_url: () => null,
      test_connection: () => ({ account_id: "ada123", account_name: "Ada" }),
      rename_connection: () => connectionInfo(),
      remove_connection: () => ({ id: "c1", orphaned_bases: [] }),
      vault_status: () => vaultStatus(),
    });
    const api = createConnectionsApi(shell.bridge);

    expect(await api.listProviders()).toEqual({ ok: true, value: [spotify] });
    expect(await api.listConnections()).toEqual({ ok: true, value: [details()] });
    expect(await api.getClientId("spotify")).toEqual({ ok: true, value: "abc" });
    expect(await api.setClientId("spotify", "abc")).toEqual({ ok: true, value: null });
    expect(await api.startConnect("spotify", "deep_link")).toEqual({ ok: true, value: start });
    expect((await api.openUrl(start.authorize_url)).ok).toBe(true);
    expect(await api.testConnection("c1")).toEqual({
      ok: true,
      value: { account_id: "ada123", account_name: "Ada" },
    });
    expect((await api.renameConnection("c1", "Mine")).ok).toBe(true);
    shell.handlers.rename_connection = () => connectionInfo({ display_name: "Mine" });
    expect(await api.renameConnection("c1", "Mine")).toEqual({
      ok: true,
      value: connectionInfo({ display_name: "Mine" }),
    });
    expect((await api.removeConnection("c1", true)).ok).toBe(true);
    expect((await api.vaultStatus()).ok).toBe(true);

    expect(shell.calls).toEqual([
      { command: "list_providers", args: {} },
      { command: "list_connections", args: {} },
      { command: "get_client_id", args: { provider: "spotify" } },
      { command: "set_client_id", args: { provider: "spotify", clientId: "abc" } },
      { command: "start_connect", args: { provider: "spotify", channel: "deep_link" } },
      { command: "open_url", args: { url: start.authorize_url } },
      { command: "test_connection", args: { id: "c1" } },
      { command: "rename_connection", args: { id: "c1", name: "Mine" } },
      { command: "rename_connection", args: { id: "c1", name: "Mine" } },
      { command: "remove_connection", args: { id: "c1", force: true } },
      { command: "vault_status", args: {} },
    ]);
  });

  it("turns CommandError objects and bare strings into a message", async () => {
    const api = createConnectionsApi(
      fakeShell({
        set_client_id: () => Promise.reject({ message: "A Client ID is 32 hex characters." }),
        test_connection: () => Promise.reject("the token was revoked"),
      }).bridge,
    );
    expect(await api.setClientId("spotify", "x")).toEqual({
      ok: false,
      message: "A Client ID is 32 hex characters.",
    });
    expect(await api.testConnection("c1")).toEqual({
      ok: false,
      message: "the token was revoked",
    });
    expect(await api.vaultStatus()).toEqual({
      ok: false,
      message: "command vault_status not found",
    });
  });

  it("refuses answers of the wrong shape", async () => {
    const api = createConnectionsApi(
      fakeShell({
        list_providers: () => [{ name: "spotify" }],
        list_connections: () => ({ connections: [] }),
        start_connect: () => "https://example.com",
        get_client_id: () => 42,
      }).bridge,
    );
    for (const result of [
      await api.listProviders(),
      await api.listConnections(),
      await api.startConnect("spotify", "loopback"),
      await api.getClientId("spotify"),
    ]) {
      expect(result.ok).toBe(false);
    }
  });

  it("accepts a vault status with or without an error", async () => {
    const shell = fakeShell({
      vault_status: () => ({ ...vaultStatus({ kind: "file" }), error: null }),
    });
    const api = createConnectionsApi(shell.bridge);
    expect((await api.vaultStatus()).ok).toBe(true);
    shell.handlers.vault_status = () => vaultStatus({ kind: "memory", error: "x" });
    expect(await api.vaultStatus()).toEqual({
      ok: true,
      value: vaultStatus({ kind: "memory", error: "x" }),
    });
    // A place this build does not know, or no flags: another build's shell.
    shell.handlers.vault_status = () => vaultStatus({ kind: "cloud" as never });
    expect((await api.vaultStatus()).ok).toBe(false);
    shell.handlers.vault_status = () => ({ kind: "keyring", description: "the keyring" });
    expect((await api.vaultStatus()).ok).toBe(false);
  });

  it("delivers connection-added payloads and drops malformed ones", async () => {
    const shell = fakeShell();
    const api = createConnectionsApi(shell.bridge);
    const added = vi.fn();
    const unlisten = await api.onConnectionAdded(added);
    shell.emit(CONNECTION_ADDED_EVENT, connectionInfo());
    shell.emit(CONNECTION_ADDED_EVENT, { id: 3 });
    expect(added).toHaveBeenCalledTimes(1);
    expect(added).toHaveBeenCalledWith(connectionInfo());
    unlisten();
    expect(shell.listeners(CONNECTION_ADDED_EVENT)).toBe(0);
  });

  it("delivers connect-failed as a message, whatever its shape", async () => {
    const shell = fakeShell();
    const api = createConnectionsApi(shell.bridge);
    const failed = vi.fn();
    await api.onConnectFailed(failed);
    shell.emit(CONNECT_FAILED_EVENT, { message: "You declined access." });
    shell.emit(CONNECT_FAILED_EVENT, "state mismatch");
    shell.emit(CONNECT_FAILED_EVENT, null);
    expect(failed.mock.calls).toEqual([
      ["You declined access."],
      ["state mismatch"],
      ["Unknown error."],
    ]);
  });

  it("survives a shell that cannot listen", async () => {
    const shell = fakeShell();
    shell.bridge.listen = () => Promise.reject(new Error("event plugin missing"));
    const api = createConnectionsApi(shell.bridge);
    const unlisten = await api.onConnectFailed(() => {});
    expect(() => unlisten()).not.toThrow();
  });
});

describe("isInUseError", () => {
  it("recognises the refusal to remove a connection bases use", () => {
    expect(
      isInUseError(
        'the connection "Ada\'s Spotify" is used by base playlists: Liked Songs. Remove those first, or force.',
      ),
    ).toBe(true);
    expect(isInUseError("It is used by 2 base playlists")).toBe(true);
    expect(isInUseError("the keyring is locked")).toBe(false);
  });
});

describe("toLoadable", () => {
  it("maps outcomes to page states", () => {
    expect(toLoadable({ ok: true, value: 1 })).toEqual({ kind: "ok", value: 1 });
    expect(toLoadable({ ok: false, message: "no" })).toEqual({ kind: "error", message: "no" });
  });
});
