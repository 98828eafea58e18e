import type { AuthorizationStart } from "../bindings/AuthorizationStart";
import type { CallbackChannel } from "../bindings/CallbackChannel";
import type { CapabilitiesView } from "../bindings/CapabilitiesView";
import type { CommandError } from "../bindings/CommandError";
import type { ConnectionDetails } from "../bindings/ConnectionDetails";
import type { ConnectionInfo } from "../bindings/ConnectionInfo";
import type { ErrorKind } from "../bindings/ErrorKind";
import type { ProviderInfo } from "../bindings/ProviderInfo";
import type { Removed } from "../bindings/Removed";
import type { TestReport } from "../bindings/TestReport";
import type { VaultPlace } from "../bindings/VaultPlace";
import type { VaultStatus } from "../bindings/VaultStatus";
import {
  type Bridge,
  call,
  describeError,
  type Outcome,
  realBridge,
  subscribe,
  UNAVAILABLE_MESSAGE,
  type Unlisten,
} from "./bridge";

export { isConnectionDetails, isConnectionInfo, isProviderInfo } from "./checks";
// Generated from the Rust types by ts-rs; never written by hand.
// What every command rejects with, and which store keeps the sign-ins: both generated from
// the Rust types (src-tauri/error.rs, crates/app).
// The one outcome type and bridge (./bridge), under the names the pages know.
export type {
  AuthorizationStart,
  CallbackChannel,
  CapabilitiesView,
  CommandError,
  ConnectionDetails,
  ConnectionInfo,
  ErrorKind,
  Outcome,
  ProviderInfo,
  Removed,
  TestReport,
  Unlisten,
  VaultPlace,
  VaultStatus,
};
export { UNAVAILABLE_MESSAGE };

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
export const CONNECTION_ADDED_EVENT = "connection-added" as const;
export const CONNECT_FAILED_EVENT = "connect-failed" as const;

/** How long a sign-in may take, from "connect" to the answer (the Rust side's STATE_LIFETIME). */
export const SIGN_IN_MINUTES = 10;

/** The Tauri functions this module needs; tests pass their own. */
export type ConnectionsBridge = Bridge;

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
  /** The shell answers the renamed connection. */
  renameConnection: (id: string, name: string) => Promise<Outcome<ConnectionInfo>>;
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
  return {
    isAvailable: () => bridge.isTauri(),
    listProviders: () => call(bridge, "list_providers"),
    listConnections: () => call(bridge, "list_connections"),
    getClientId: (provider) => call(bridge, "get_client_id", { provider }),
    setClientId: (provider, clientId) => call(bridge, "set_client_id", { provider, clientId }),
    startConnect: (provider, channel) => call(bridge, "start_connect", { provider, channel }),
    openUrl: (url) => call(bridge, "open_url", { url }),
    testConnection: (id) => call(bridge, "test_connection", { id }),
    renameConnection: (id, name) => call(bridge, "rename_connection", { id, name }),
    removeConnection: (id, force) => call(bridge, "remove_connection", { id, force }),
    vaultStatus: () => call(bridge, "vault_status"),
    unlockVault: (passphrase) => call(bridge, "unlock_vault", { passphrase }),
    capabilities: (id) => call(bridge, "connection_capabilities", { id }),
    connectDemo: () => call(bridge, "connect_demo"),
    onConnectionAdded: (handler) => subscribe(bridge, CONNECTION_ADDED_EVENT, handler),
    onConnectFailed: (handler) =>
      subscribe(bridge, CONNECT_FAILED_EVENT, (payload) => handler(describeError(payload))),
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
