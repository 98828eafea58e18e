// Shape checks for the shell's answers and events: enough to catch a shell from another build
// (a partial update) and show a message instead of a crash. The types come from ts-rs; these
// only confirm an answer has them. Each command's check is picked in ./bridge.ts.

import type { AppInfo } from "../bindings/AppInfo";
import type { AuthorizationStart } from "../bindings/AuthorizationStart";
import type { BaseView } from "../bindings/BaseView";
import type { CapabilitiesView } from "../bindings/CapabilitiesView";
import type { ChildPreviewView } from "../bindings/ChildPreviewView";
import type { ChildSummary } from "../bindings/ChildSummary";
import type { ChildView } from "../bindings/ChildView";
import type { CloudLiveEvent } from "../bindings/CloudLiveEvent";
import type { CloudStatusView } from "../bindings/CloudStatusView";
import type { CloudSyncView } from "../bindings/CloudSyncView";
import type { ConflictItem } from "../bindings/ConflictItem";
import type { ConnectionDetails } from "../bindings/ConnectionDetails";
import type { ConnectionInfo } from "../bindings/ConnectionInfo";
import type { DemoSetupView } from "../bindings/DemoSetupView";
import type { DeviceView } from "../bindings/DeviceView";
import type { EnrollmentView } from "../bindings/EnrollmentView";
import type { FieldInfo } from "../bindings/FieldInfo";
import type { Filter } from "../bindings/Filter";
import type { HistoryEntry } from "../bindings/HistoryEntry";
import type { HubStatus } from "../bindings/HubStatus";
import type { JoinView } from "../bindings/JoinView";
import type { ParseError } from "../bindings/ParseError";
import type { PassphraseView } from "../bindings/PassphraseView";
import type { PlaylistView } from "../bindings/PlaylistView";
import type { PreviewView } from "../bindings/PreviewView";
import type { ProviderInfo } from "../bindings/ProviderInfo";
import type { Removed } from "../bindings/Removed";
import type { ServicePage } from "../bindings/ServicePage";
import type { SettingsView } from "../bindings/SettingsView";
import type { SyncProgressEvent } from "../bindings/SyncProgressEvent";
import type { SyncSummary } from "../bindings/SyncSummary";
import type { TestReport } from "../bindings/TestReport";
import type { UndoView } from "../bindings/UndoView";
import type { UpdateView } from "../bindings/UpdateView";
import type { UserGenresView } from "../bindings/UserGenresView";
import type { VaultStatus } from "../bindings/VaultStatus";
import {
  isCallbackChannel,
  isCloudLiveState,
  isMirrorMode,
  isNoPage,
  isRoutingMode,
  isStage,
  isSyncStatus,
  isTheme,
  isTrayState,
  isVaultPlace,
} from "./enums";

export type Check<T> = (value: unknown) => value is T;

type Primitive = "string" | "number" | "boolean";

// ---- building blocks ---------------------------------------------------------------------------

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** Every key holds a value of its type. */
export function has(
  value: unknown,
  types: Record<string, Primitive>,
): value is Record<string, unknown> {
  return (
    isRecord(value) && Object.entries(types).every(([key, type]) => typeof value[key] === type)
  );
}

export function isArrayOf<T>(check: Check<T>): Check<T[]> {
  return (value: unknown): value is T[] => Array.isArray(value) && value.every(check);
}

export function isString(value: unknown): value is string {
  return typeof value === "string";
}

export function isNumber(value: unknown): value is number {
  return typeof value === "number";
}

export function isBoolean(value: unknown): value is boolean {
  return typeof value === "boolean";
}

/** Commands that answer `()`, which serde writes as `null`. */
export function isNothing(value: unknown): value is null {
  return value === null || value === undefined;
}

export function orNothing<T>(check: Check<T>): Check<T | null> {
  return (value: unknown): value is T | null => isNothing(value) || check(value);
}

/** serde writes `None` as `null`; an absent key reads the same. */
function isOptional(value: unknown, type: Exclude<Primitive, "boolean">): boolean {
  return value === null || value === undefined || typeof value === type;
}

export const isStringOrNull: Check<string | null> = orNothing(isString);

const isStrings = isArrayOf(isString);

// ---- app info ----------------------------------------------------------------------------------

/** `app_info`'s wire shape: serde writes a missing database error as `null`, not as absent. */
export type AppInfoWire = Omit<AppInfo, "databaseError"> & { databaseError?: string | null };

export function isAppInfo(value: unknown): value is AppInfoWire {
  return (
    has(value, {
      version: "string",
      dataDir: "string",
      logDir: "string",
      databasePath: "string",
    }) && isOptional(value.databaseError, "string")
  );
}

// ---- connections -------------------------------------------------------------------------------

export function isProviderInfo(value: unknown): value is ProviderInfo {
  return (
    has(value, {
      name: "string",
      display_name: "string",
      category: "string",
      auth_kind: "string",
      credential_help: "string",
    }) &&
    Array.isArray(value.scopes) &&
    isStringOrNull(value.deep_link_redirect_uri ?? null) &&
    isStringOrNull(value.loopback_redirect_uri_example ?? null)
  );
}

export function isConnectionInfo(value: unknown): value is ConnectionInfo {
  return (
    has(value, {
      id: "string",
      provider: "string",
      provider_display_name: "string",
      display_name: "string",
      status: "string",
    }) &&
    isStringOrNull(value.account_id ?? null) &&
    isStringOrNull(value.status_detail ?? null)
  );
}

export function isConnectionDetails(value: unknown): value is ConnectionDetails {
  return (
    isRecord(value) &&
    isConnectionInfo(value.connection) &&
    has(value.health, { state: "string", message: "string" })
  );
}

export function isAuthorizationStart(value: unknown): value is AuthorizationStart {
  return (
    has(value, { authorize_url: "string", redirect_uri: "string", expires_at: "number" }) &&
    isCallbackChannel(value.channel)
  );
}

export function isTestReport(value: unknown): value is TestReport {
  return has(value, { account_id: "string", account_name: "string" });
}

export function isRemoved(value: unknown): value is Removed {
  return has(value, { id: "string" }) && isStrings(value.orphaned_bases ?? []);
}

export function isVaultStatus(value: unknown): value is VaultStatus {
  return (
    has(value, { description: "string", needs_passphrase: "boolean", file_exists: "boolean" }) &&
    isVaultPlace(value.kind) &&
    isOptional(value.error, "string")
  );
}

export function isCapabilities(value: unknown): value is CapabilitiesView {
  return (
    has(value, { probed: "boolean" }) &&
    Array.isArray(value.missing) &&
    value.missing.every((m) => has(m, { field: "string", reason: "string" }))
  );
}

// ---- filters -----------------------------------------------------------------------------------

/** Shallow on purpose: the shell builds the filter from the same types. */
export function isFilter(value: unknown): value is Filter {
  return isRecord(value) && isRecord(value.root) && ("rule" in value.root || "group" in value.root);
}

/** What `parse_query` rejects with when the text is not a query. */
export function isQueryError(value: unknown): value is ParseError {
  return (
    has(value, { column: "number", message: "string", expected: "string" }) &&
    isOptional(value.suggestion, "string")
  );
}

export function isFieldInfo(value: unknown): value is FieldInfo {
  return has(value, { field: "string", label: "string", kind: "string", example: "string" });
}

// ---- library -----------------------------------------------------------------------------------

export function isPlaylistView(value: unknown): value is PlaylistView {
  return (
    has(value, { id: "string", name: "string", is_base: "boolean", is_child: "boolean" }) &&
    isOptional(value.tracks, "number") &&
    isOptional(value.owner, "string")
  );
}

/** A service page: only the service's own web player counts as a link to open. */
export function isServicePage(value: unknown): value is ServicePage {
  if (has(value, { kind: "string" }) && value.kind === "web") {
    return typeof value.url === "string" && value.url.startsWith("https://open.spotify.com/");
  }
  return has(value, { kind: "string" }) && value.kind === "none" && isNoPage(value.reason);
}

export function isChildView(value: unknown): value is ChildView {
  return (
    has(value, { id: "string", name: "string", query: "string", allow_empty: "boolean" }) &&
    isMirrorMode(value.mirror) &&
    isServicePage(value.page)
  );
}

export function isBaseView(value: unknown): value is BaseView {
  return (
    has(value, {
      id: "string",
      connection: "string",
      connection_name: "string",
      name: "string",
      schedule: "string",
      syncing: "boolean",
    }) &&
    isRoutingMode(value.routing) &&
    isOptional(value.catch_all, "string") &&
    isOptional(value.last_synced_at, "string") &&
    isArrayOf(isChildView)(value.children) &&
    isServicePage(value.page)
  );
}

function isChildPreview(value: unknown): value is ChildPreviewView {
  return (
    has(value, { id: "string", name: "string", count: "number", unknown: "number" }) &&
    isStrings(value.sample) &&
    isStrings(value.problems) &&
    isOptional(value.note, "string")
  );
}

export function isPreviewView(value: unknown): value is PreviewView {
  return (
    has(value, { base: "string", tracks: "number", unrouted: "number" }) &&
    isArrayOf(isChildPreview)(value.children) &&
    isStrings(value.unrouted_sample) &&
    isStrings(value.skipped)
  );
}

export function isDemoSetupView(value: unknown): value is DemoSetupView {
  return has(value, { connection: "string", base: "string", children: "number" });
}

// ---- genres ------------------------------------------------------------------------------------

export function isUserGenresView(value: unknown): value is UserGenresView {
  return (
    has(value, { artist: "string", updated_at: "number" }) &&
    isOptional(value.name, "string") &&
    isStrings(value.genres)
  );
}

// ---- syncing, history and settings -------------------------------------------------------------

function isChildSummary(value: unknown): value is ChildSummary {
  return (
    has(value, {
      id: "string",
      name: "string",
      added: "number",
      removed: "number",
      kept_user_tracks: "number",
    }) &&
    isOptional(value.note, "string") &&
    isOptional(value.error, "string")
  );
}

export function isSyncSummary(value: unknown): value is SyncSummary {
  return (
    has(value, {
      base: "string",
      base_name: "string",
      unchanged: "boolean",
      added: "number",
      removed: "number",
      requests: "number",
      cache_hit_rate: "number",
      duration_ms: "number",
      headline: "string",
    }) &&
    isSyncStatus(value.status) &&
    isArrayOf(isChildSummary)(value.children) &&
    isOptional(value.error, "string")
  );
}

export function isHistoryEntry(value: unknown): value is HistoryEntry {
  return (
    has(value, {
      id: "string",
      base: "string",
      base_name: "string",
      started_at: "number",
      started_local: "string",
      undone: "boolean",
    }) &&
    isSyncStatus(value.status) &&
    isOptional(value.finished_at, "number") &&
    isOptional(value.finished_local, "string") &&
    Array.isArray(value.completes) &&
    value.completes.every(isHistoryEntry) &&
    isOptional(value.undo_of, "string") &&
    isOptional(value.completed_by, "string") &&
    isOptional(value.error, "string") &&
    (isNothing(value.summary) || isSyncSummary(value.summary))
  );
}

export function isHubStatus(value: unknown): value is HubStatus {
  return (
    has(value, { paused: "boolean", background_sync: "boolean" }) &&
    isTrayState(value.tray) &&
    isStrings(value.running) &&
    isOptional(value.next_sync_at, "number") &&
    isOptional(value.last_error, "string")
  );
}

export function isSyncProgressEvent(value: unknown): value is SyncProgressEvent {
  return (
    has(value, { base: "string", label: "string", done: "number", total: "number" }) &&
    isStage(value.stage) &&
    isOptional(value.eta_seconds, "number")
  );
}

export function isSettingsView(value: unknown): value is SettingsView {
  return (
    has(value, { start_at_login: "boolean" }) &&
    has(value.settings, {
      background_sync: "boolean",
      notify_on_success: "boolean",
      notify_on_failure: "boolean",
      start_minimised: "boolean",
    }) &&
    isTheme(value.settings.theme)
  );
}

export function isUndoView(value: unknown): value is UndoView {
  return (
    has(value, { event: "string" }) &&
    Array.isArray(value.children) &&
    value.children.every((child) =>
      has(child, { id: "string", name: "string", tracks: "number", kept_added_by_hand: "number" }),
    )
  );
}

// ---- cloud -------------------------------------------------------------------------------------

export function isCloudStatusView(value: unknown): value is CloudStatusView {
  return (
    has(value, {
      signed_in: "boolean",
      default_server_url: "string",
      unlocked: "boolean",
      records: "number",
      open_conflicts: "number",
    }) &&
    isOptional(value.server_url, "string") &&
    isOptional(value.email, "string") &&
    isOptional(value.device_id, "string") &&
    isOptional(value.key_id, "string") &&
    isOptional(value.last_sync_at, "number")
  );
}

export function isPassphraseView(value: unknown): value is PassphraseView {
  return (
    has(value, { created: "boolean", key_id: "string" }) &&
    isOptional(value.recovery_code, "string") &&
    isOptional(value.warning, "string")
  );
}

export function isCloudSyncView(value: unknown): value is CloudSyncView {
  return has(value, {
    pulled: "number",
    applied: "number",
    removed: "number",
    pushed: "number",
    deleted: "number",
    new_conflicts: "number",
    open_conflicts: "number",
  });
}

export function isConflictItem(value: unknown): value is ConflictItem {
  return has(value, { id: "string", what: "string", resolved: "boolean" });
}

export function isEnrollmentView(value: unknown): value is EnrollmentView {
  return has(value, {
    code: "string",
    svg: "string",
    expires_at: "number",
    expires_in_secs: "number",
  });
}

export function isDeviceView(value: unknown): value is DeviceView {
  return (
    has(value, {
      id: "string",
      name: "string",
      enrolled_by: "string",
      created_at: "number",
      last_seen_at: "number",
      current: "boolean",
    }) &&
    isOptional(value.platform, "string") &&
    isOptional(value.os_version, "string") &&
    isOptional(value.model, "string") &&
    isOptional(value.app_version, "string")
  );
}

export function isJoinView(value: unknown): value is JoinView {
  return (
    has(value, { created_by_device: "string", applied: "number" }) &&
    isCloudStatusView(value.status)
  );
}

export function isCloudLiveEvent(value: unknown): value is CloudLiveEvent {
  return (
    has(value, { changed: "boolean" }) &&
    isCloudLiveState(value.state) &&
    isOptional(value.message, "string")
  );
}

// ---- updates -----------------------------------------------------------------------------------

export function isUpdateView(value: unknown): value is UpdateView {
  if (!has(value, { state: "string", current_version: "string" })) {
    return false;
  }
  switch (value.state) {
    case "not_configured":
    case "unchecked":
    case "up_to_date":
      return true;
    case "available":
      return (
        typeof value.version === "string" &&
        isStringOrNull(value.notes ?? null) &&
        isStringOrNull(value.date ?? null)
      );
    case "refused":
      return typeof value.version === "string" && typeof value.message === "string";
    default:
      return false;
  }
}
