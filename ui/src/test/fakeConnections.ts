// A stand-in for the Tauri shell's connection commands and events, for tests.

import type { ConnectionsBridge } from "../api/connections";
import type { ConnectionDetails } from "../bindings/ConnectionDetails";
import type { ConnectionInfo } from "../bindings/ConnectionInfo";
import type { ProviderInfo } from "../bindings/ProviderInfo";
import type { VaultStatus } from "../bindings/VaultStatus";

export type Handler = (args: Record<string, unknown>) => unknown;

export type FakeShell = {
  bridge: ConnectionsBridge;
  /** Every command called, with its arguments, in order. */
  calls: Array<{ command: string; args: Record<string, unknown> }>;
  /** Sends an event to whatever listens, like the shell's `emit`. */
  emit: (event: string, payload: unknown) => void;
  listeners: (event: string) => number;
  handlers: Record<string, Handler>;
};

export function fakeShell(handlers: Record<string, Handler> = {}, inTauri = true): FakeShell {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const calls: FakeShell["calls"] = [];
  const bridge: ConnectionsBridge = {
    isTauri: () => inTauri,
    invoke: async <T>(command: string, args?: Record<string, unknown>): Promise<T> => {
      calls.push({ command, args: args ?? {} });
      const handler = shell.handlers[command];
      if (handler === undefined) {
        // What Tauri answers for a command the shell does not have.
        throw `command ${command} not found`;
      }
      return (await handler(args ?? {})) as T;
    },
    listen: async <T>(event: string, handler: (payload: T) => void) => {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const wrapped = (payload: unknown) => handler(payload as T);
      set.add(wrapped);
      return () => {
        set.delete(wrapped);
      };
    },
  };
  const shell: FakeShell = {
    bridge,
    calls,
    handlers,
    emit: (event, payload) => {
      for (const handler of listeners.get(event) ?? []) {
        handler(payload);
      }
    },
    listeners: (event) => listeners.get(event)?.size ?? 0,
  };
  return shell;
}

export const spotify: ProviderInfo = {
  name: "spotify",
  display_name: "Spotify",
  category: "music",
  auth_kind: "oauth2_pkce",
  scopes: ["playlist-read-private"],
  deep_link_redirect_uri: "syncer://oauth/spotify",
  loopback_redirect_uri_example: "http://127.0.0.1:8888/oauth/spotify",
  credential_help:
    "Create an app at developer.spotify.com/dashboard, add the redirect URI shown here, and paste its Client ID",
};

export function connectionInfo(overrides: Partial<ConnectionInfo> = {}): ConnectionInfo {
  return {
    id: "c1",
    provider: "spotify",
    provider_display_name: "Spotify",
    display_name: "Ada's Spotify",
    auth_kind: "oauth2_pkce",
    account_id: "ada123",
    status: "ok",
    status_detail: null,
    sign_in_renew_by: null,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    ...overrides,
  };
}

export function details(
  connection: ConnectionInfo = connectionInfo(),
  health: Partial<ConnectionDetails["health"]> = {},
): ConnectionDetails {
  return {
    connection,
    health: {
      state: "ready",
      message: "Signed in.",
      access_expires_at: null,
      rate_limited_until: null,
      sign_in_renew_by: null,
      sign_in_notice: null,
      ...health,
    },
  };
}

/** Sign-ins kept in the system keyring, with `overrides` applied. */
export function vaultStatus(overrides: Partial<VaultStatus> = {}): VaultStatus {
  return {
    kind: "keyring",
    description: "the system keyring",
    needs_passphrase: false,
    file_exists: false,
    ...overrides,
  };
}
