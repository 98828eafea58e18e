import { invoke as tauriInvoke, isTauri as tauriIsTauri } from "@tauri-apps/api/core";
import { listen as tauriListen } from "@tauri-apps/api/event";
import type { AuthorizationStart } from "../bindings/AuthorizationStart";
import type { CallbackChannel } from "../bindings/CallbackChannel";
import type { CapabilitiesView } from "../bindings/CapabilitiesView";
import type { CommandError } from "../bindings/CommandError";
import type { ConnectionDetails } from "../bindings/ConnectionDetails";
import type { ConnectionInfo } from "../bindings/ConnectionInfo";
import type { ProviderInfo } from "../bindings/ProviderInfo";
import type { Removed } from "../bindings/Removed";
import type { TestReport } from "../bindings/TestReport";
import type { VaultStatus } from "../bindings/VaultStatus";
import { describeError } from "./appInfo";

// Generated from the Rust types by ts-rs; never written by hand.
// What every command rejects with, and which store keeps the sign-ins: both generated from
// the Rust types (src-tauri/error.rs, src-tauri/state.rs).
export type {
  AuthorizationStart,
  CallbackChannel,
  CapabilitiesView,
  CommandError,
  ConnectionDetails,
  ConnectionInfo,
  ProviderInfo,
  Removed,
  TestReport,
  VaultStatus,
};

/** A command's answer, or why there is none, so callers handle both on purpose. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; message: string };

/** A value the page asks for once, in each state it can be in, so each renders on purpose. */
export type Loadable<T> =
  | { kind: "loading" }
  /** Not inside the desktop shell: a plain browser (`npm run dev`) or a test. */
  | { kind: "unavailable" }
  | { kind: "error"; message: string }
  | { kind: "ok"; value: T };

export function toLoadable<T>(outcome: Outcome<T>): Loadable<T> {
  return outcome.ok
    ? { kind: "ok", value: outcome.value }
    : { kind: "error", message: outcome.message };
}

/** The events the shell emits when a sign-in started with `start_connect` ends. */
export const CONNECTION_ADDED_EVENT = "connection-added";
export const CONNECT_FAILED_EVENT = "connect-failed";

/** How long a sign-in may take, from "connect" to the answer (the Rust side's STATE_LIFETIME). */
export const SIGN_IN_MINUTES = 10;

export const UNAVAILABLE_MESSAGE =
  "This only works in the Syncer desktop app; this preview cannot reach it.";

/** The three Tauri functions this wrapper needs; tests pass their own. */
export type ConnectionsBridge = {
  isTauri: () => boolean;
  invoke: <T>(command: string, args?: Record<string, unknown>) => Promise<T>;
  listen: <T>(event: string, handler: (payload: T) => void) => Promise<() => void>;
};

const realBridge: ConnectionsBridge = {
  isTauri: tauriIsTauri,
  invoke: (command, args) => tauriInvoke(command, args),
  listen: <T>(event: string, handler: (payload: T) => void) =>
    tauriListen<T>(event, (e) => handler(e.payload)),
};

export type Unlisten = () => void;

/** Everything the Connections and Settings pages ask of the shell. */
export type ConnectionsApi = {
  /** False in a plain browser or a test: the pages show an "unavailable" state instead. */
  isAvailable: () => boolean;
  listProviders: () => Promise<Outcome<ProviderInfo[]>>;
  listConnections: () => Promise<Outcome<ConnectionDetails[]>>;
  getClientId: (provider: string) => Promise<Outcome<string | null>>;
  setClientId: (provider: string, clientId: string) => Promise<Outcome<null>>;
  startConnect: (
    provider: string,
    channel: CallbackChannel,
  ) => Promise<Outcome<AuthorizationStart>>;
  openUrl: (url: string) => Promise<Outcome<null>>;
  testConnection: (id: string) => Promise<Outcome<TestReport>>;
  /** The shell answers the renamed connection (or nothing, in older builds). */
  renameConnection: (id: string, name: string) => Promise<Outcome<ConnectionInfo | null>>;
  removeConnection: (id: string, force: boolean) => Promise<Outcome<Removed>>;
  vaultStatus: () => Promise<Outcome<VaultStatus>>;
  /**
   * Opens the encrypted secrets file (no system keyring) with the passphrase typed, choosing
   * it when the file is new. Answers where sign-ins are kept now.
   */
  unlockVault: (passphrase: string) => Promise<Outcome<VaultStatus>>;
  /** Which filter fields the connection can feed, as last probed (Test probes again). */
  capabilities: (id: string) => Promise<Outcome<CapabilitiesView>>;
  /** Adds the demo library: a stand-in for Spotify on this computer, no account needed. */
  connectDemo: () => Promise<Outcome<ConnectionInfo>>;
  onConnectionAdded: (handler: (connection: ConnectionInfo) => void) => Promise<Unlisten>;
  /** The handler gets the failure already turned into a sentence. */
  onConnectFailed: (handler: (message: string) => void) => Promise<Unlisten>;
};

export function createConnectionsApi(bridge: ConnectionsBridge = realBridge): ConnectionsApi {
  async function call<T>(
    command: string,
    args: Record<string, unknown> | undefined,
    check: (value: unknown) => value is T,
  ): Promise<Outcome<T>> {
    if (!bridge.isTauri()) {
      return { ok: false, message: UNAVAILABLE_MESSAGE };
    }
    try {
      const value = await bridge.invoke<unknown>(command, args);
      // Built together, but a shell from a partial update should show a message, not a crash.
      if (!check(value)) {
        return { ok: false, message: `The app answered ${command} in an unexpected format.` };
      }
      return { ok: true, value };
    } catch (error) {
      return { ok: false, message: describeError(error) };
    }
  }

  async function subscribe<T>(event: string, handler: (payload: T) => void): Promise<Unlisten> {
    if (!bridge.isTauri()) {
      return () => {};
    }
    try {
      return await bridge.listen<T>(event, handler);
    } catch {
      // No events means no live updates; the page still works through its own refreshes.
      return () => {};
    }
  }

  return {
    isAvailable: () => bridge.isTauri(),
    listProviders: () => call("list_providers", undefined, isArrayOf(isProviderInfo)),
    listConnections: () => call("list_connections", undefined, isArrayOf(isConnectionDetails)),
    getClientId: (provider) => call("get_client_id", { provider }, isStringOrNull),
    setClientId: (provider, clientId) => call("set_client_id", { provider, clientId }, isNothing),
    startConnect: (provider, channel) =>
      call("start_connect", { provider, channel }, isAuthorizationStart),
    openUrl: (url) => call("open_url", { url }, isNothing),
    testConnection: (id) => call("test_connection", { id }, isTestReport),
    renameConnection: (id, name) =>
      call("rename_connection", { id, name }, isConnectionInfoOrNothing),
    removeConnection: (id, force) => call("remove_connection", { id, force }, isRemoved),
    vaultStatus: () => call("vault_status", undefined, isVaultStatus),
    unlockVault: (passphrase) => call("unlock_vault", { passphrase }, isVaultStatus),
    capabilities: (id) => call("connection_capabilities", { id }, isCapabilities),
    connectDemo: () => call("connect_demo", undefined, isConnectionInfo),
    onConnectionAdded: (handler) =>
      subscribe<unknown>(CONNECTION_ADDED_EVENT, (payload) => {
        if (isConnectionInfo(payload)) {
          handler(payload);
        }
      }),
    onConnectFailed: (handler) =>
      subscribe<unknown>(CONNECT_FAILED_EVENT, (payload) => handler(describeError(payload))),
  };
}

/** The shell's API for the running app; "unavailable" under Vitest and in a plain browser. */
export const defaultConnectionsApi: ConnectionsApi = createConnectionsApi();

/**
 * Whether a failed `remove_connection` was refused because base playlists use the connection,
 * so the page can offer "Remove anyway". Matches the Rust `AuthError::InUse` text ("… is used by
 * base playlists: …").
 */
export function isInUseError(message: string): boolean {
  return /\bused by (?:\d+ )?base playlists?\b/i.test(message);
}

// ---- shape checks ------------------------------------------------------------------------------

type Check<T> = (value: unknown) => value is T;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function hasStrings(value: unknown, keys: readonly string[]): value is Record<string, unknown> {
  return isRecord(value) && keys.every((key) => typeof value[key] === "string");
}

function isArrayOf<T>(check: Check<T>): Check<T[]> {
  return (value: unknown): value is T[] => Array.isArray(value) && value.every(check);
}

function isCapabilities(value: unknown): value is CapabilitiesView {
  return (
    isRecord(value) &&
    typeof value.probed === "boolean" &&
    Array.isArray(value.missing) &&
    value.missing.every((m) => hasStrings(m, ["field", "reason"]))
  );
}

function isStringOrNull(value: unknown): value is string | null {
  return value === null || typeof value === "string";
}

/** Commands that answer `()`, which serde writes as `null`. */
function isNothing(value: unknown): value is null {
  return value === null || value === undefined;
}

function isConnectionInfoOrNothing(value: unknown): value is ConnectionInfo | null {
  return isNothing(value) || isConnectionInfo(value);
}

export function isProviderInfo(value: unknown): value is ProviderInfo {
  return (
    hasStrings(value, ["name", "display_name", "category", "auth_kind", "credential_help"]) &&
    Array.isArray(value.scopes) &&
    isStringOrNull(value.deep_link_redirect_uri ?? null) &&
    isStringOrNull(value.loopback_redirect_uri_example ?? null)
  );
}

export function isConnectionInfo(value: unknown): value is ConnectionInfo {
  return (
    hasStrings(value, ["id", "provider", "provider_display_name", "display_name", "status"]) &&
    isStringOrNull(value.account_id ?? null) &&
    isStringOrNull(value.status_detail ?? null)
  );
}

export function isConnectionDetails(value: unknown): value is ConnectionDetails {
  return (
    isRecord(value) &&
    isConnectionInfo(value.connection) &&
    hasStrings(value.health, ["state", "message"])
  );
}

function isAuthorizationStart(value: unknown): value is AuthorizationStart {
  return (
    hasStrings(value, ["authorize_url", "redirect_uri", "channel"]) &&
    typeof value.expires_at === "number"
  );
}

function isTestReport(value: unknown): value is TestReport {
  return hasStrings(value, ["account_id", "account_name"]);
}

function isRemoved(value: unknown): value is Removed {
  return hasStrings(value, ["id"]) && Array.isArray(value.orphaned_bases ?? []);
}

function isVaultStatus(value: unknown): value is VaultStatus {
  // The two flags came later: a shell without them has no lock to offer.
  const flag = (v: unknown) => v === undefined || typeof v === "boolean";
  return (
    hasStrings(value, ["kind", "description"]) &&
    (value.error === undefined || isStringOrNull(value.error)) &&
    flag(value.needs_passphrase) &&
    flag(value.file_exists)
  );
}
