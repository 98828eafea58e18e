import { invoke as tauriInvoke, isTauri as tauriIsTauri } from "@tauri-apps/api/core";
import { listen as tauriListen } from "@tauri-apps/api/event";
import type { ChildSummary } from "../bindings/ChildSummary";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { HistoryEntry } from "../bindings/HistoryEntry";
import type { HubStatus } from "../bindings/HubStatus";
import type { SettingsView } from "../bindings/SettingsView";
import type { SyncProgressEvent } from "../bindings/SyncProgressEvent";
import type { SyncSummary } from "../bindings/SyncSummary";
import type { UndoChild } from "../bindings/UndoChild";
import type { UndoView } from "../bindings/UndoView";
import { describeError } from "./appInfo";
import { UNAVAILABLE_MESSAGE, type Unlisten } from "./connections";

// Generated from the Rust types (src-tauri/syncing.rs, history.rs, settings.rs) by ts-rs.
export type {
  ChildSummary,
  ErrorCode,
  HistoryEntry,
  HubStatus,
  SettingsView,
  SyncProgressEvent,
  SyncSummary,
  UndoChild,
  UndoView,
  Unlisten,
};

/**
 * A command's answer, or why there is none. The same shape as `Outcome<T>` in ./connections
 * (so either can be handled alike), plus the shell's error code when it sent one, so a page can
 * tell "already syncing" from a failure.
 */
export type SyncOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; message: string; code?: ErrorCode };

/** The events the shell's sync hub emits (src-tauri/syncing.rs). */
export const SYNC_PROGRESS_EVENT = "sync-progress";
export const SYNC_FINISHED_EVENT = "sync-finished";
export const SYNC_STATUS_EVENT = "sync-status";

/** How a sync can stand, as the history records it. */
export const SYNC_STATUSES = ["completed", "failed", "cancelled", "in_progress"] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];

/** The yes/no settings `set_flag` accepts (src-tauri/settings.rs `flag_key`). */
export type FlagName =
  | "background_sync"
  | "notify_on_success"
  | "notify_on_failure"
  | "start_minimised";

export const THEMES = ["system", "light", "dark"] as const;
export type Theme = (typeof THEMES)[number];

export function isTheme(value: unknown): value is Theme {
  return (THEMES as readonly unknown[]).includes(value);
}

/** What the tray menu can do; the window's `tray_action` takes the same names. */
export type TrayAction = "sync_all" | "toggle_pause" | "open" | "quit";

/** The three Tauri functions this wrapper needs; tests pass their own (see test/fakeConnections). */
export type SyncBridge = {
  isTauri: () => boolean;
  invoke: <T>(command: string, args?: Record<string, unknown>) => Promise<T>;
  listen: <T>(event: string, handler: (payload: T) => void) => Promise<() => void>;
};

const realBridge: SyncBridge = {
  isTauri: tauriIsTauri,
  invoke: (command, args) => tauriInvoke(command, args),
  listen: <T>(event: string, handler: (payload: T) => void) =>
    tauriListen<T>(event, (e) => handler(e.payload)),
};

/** Everything the History, Settings and Playlists pages ask of the sync hub and settings. */
export type SyncApi = {
  /** False in a plain browser or a test: the pages show an "unavailable" state instead. */
  isAvailable: () => boolean;
  /** Syncs, newest first; an absent base or status (or "all") means every one. */
  listHistory: (
    base?: string | null,
    status?: SyncStatus | "all" | null,
    limit?: number,
  ) => Promise<SyncOutcome<HistoryEntry[]>>;
  /** Runs the base of a past sync again, in full; the end arrives as `sync-finished`. */
  retrySync: (event: string) => Promise<SyncOutcome<null>>;
  syncStatus: () => Promise<SyncOutcome<HubStatus>>;
  /** Starts a sync in the background; progress and the end arrive as events. */
  syncBase: (base: string, force?: boolean) => Promise<SyncOutcome<null>>;
  /** Starts every base, one after another; answers how many bases there are. */
  syncAll: () => Promise<SyncOutcome<number>>;
  /** Answers whether a running sync was asked to stop. */
  cancelSync: (base: string) => Promise<SyncOutcome<boolean>>;
  /** Puts back the children the base's last sync wrote to; tracks added by hand since stay
   * unless `dropAddedByHand`. */
  undoSync: (base: string, dropAddedByHand?: boolean) => Promise<SyncOutcome<UndoView>>;
  trayAction: (action: TrayAction) => Promise<SyncOutcome<null>>;
  getSettings: () => Promise<SyncOutcome<SettingsView>>;
  setFlag: (name: FlagName, value: boolean) => Promise<SyncOutcome<null>>;
  setTheme: (theme: Theme) => Promise<SyncOutcome<null>>;
  /** Answers whether Syncer now starts at login (the desktop may refuse). */
  setStartAtLogin: (enabled: boolean) => Promise<SyncOutcome<boolean>>;
  /** Writes every local record as JSON; answers the file's path. */
  exportData: () => Promise<SyncOutcome<string>>;
  /** The shell refuses anything but "delete", so a slip deletes nothing. */
  deleteAllData: (confirm: string) => Promise<SyncOutcome<null>>;
  openLogFolder: () => Promise<SyncOutcome<null>>;
  onSyncProgress: (handler: (progress: SyncProgressEvent) => void) => Promise<Unlisten>;
  onSyncFinished: (handler: (summary: SyncSummary) => void) => Promise<Unlisten>;
  onSyncStatus: (handler: (status: HubStatus) => void) => Promise<Unlisten>;
};

export function createSyncApi(bridge: SyncBridge = realBridge): SyncApi {
  async function call<T>(
    command: string,
    args: Record<string, unknown> | undefined,
    check: (value: unknown) => value is T,
  ): Promise<SyncOutcome<T>> {
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
      const code = errorCode(error);
      const message = describeError(error);
      return code === undefined ? { ok: false, message } : { ok: false, message, code };
    }
  }

  async function subscribe<T>(
    event: string,
    check: (value: unknown) => value is T,
    handler: (payload: T) => void,
  ): Promise<Unlisten> {
    if (!bridge.isTauri()) {
      return () => {};
    }
    try {
      return await bridge.listen<unknown>(event, (payload) => {
        if (check(payload)) {
          handler(payload);
        }
      });
    } catch {
      // No events means no live updates; the pages still work through their own refreshes.
      return () => {};
    }
  }

  return {
    isAvailable: () => bridge.isTauri(),
    listHistory: (base, status, limit) =>
      call(
        "list_history",
        {
          // `null` reads as "none" on the Rust side (Option), as does "all" for the status.
          base: base === undefined || base === "" ? null : base,
          status: status === undefined || status === "all" ? null : status,
          limit: limit ?? null,
        },
        isArrayOf(isHistoryEntry),
      ),
    retrySync: (event) => call("retry_sync", { event }, isNothing),
    syncStatus: () => call("sync_status", undefined, isHubStatus),
    syncBase: (base, force = false) => call("sync_base", { base, force }, isNothing),
    syncAll: () => call("sync_all", undefined, isNumber),
    cancelSync: (base) => call("cancel_sync", { base }, isBoolean),
    undoSync: (base, dropAddedByHand = false) =>
      call("undo_sync", { base, dropAddedByHand }, isUndoView),
    trayAction: (action) => call("tray_action", { action }, isNothing),
    getSettings: () => call("get_settings", undefined, isSettingsView),
    setFlag: (name, value) => call("set_flag", { name, value }, isNothing),
    setTheme: (theme) => call("set_theme", { theme }, isNothing),
    setStartAtLogin: (enabled) => call("set_start_at_login", { enabled }, isBoolean),
    exportData: () => call("export_data", undefined, isString),
    deleteAllData: (confirm) => call("delete_all_data", { confirm }, isNothing),
    openLogFolder: () => call("open_log_folder", undefined, isNothing),
    onSyncProgress: (handler) => subscribe(SYNC_PROGRESS_EVENT, isSyncProgressEvent, handler),
    onSyncFinished: (handler) => subscribe(SYNC_FINISHED_EVENT, isSyncSummary, handler),
    onSyncStatus: (handler) => subscribe(SYNC_STATUS_EVENT, isHubStatus, handler),
  };
}

/** The shell's API for the running app; "unavailable" under Vitest and in a plain browser. */
export const defaultSyncApi: SyncApi = createSyncApi();

const ERROR_CODES: readonly ErrorCode[] = [
  "sync_in_progress",
  "not_found",
  "bad_query",
  "service",
  "store",
  "invalid",
  "password_required",
  "wrong_password",
];

/** The `code` of a rejected command's `CommandError`, when it has a known one. */
function errorCode(error: unknown): ErrorCode | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) {
    return undefined;
  }
  const code = (error as { code: unknown }).code;
  return ERROR_CODES.find((known) => known === code);
}

// ---- shape checks ------------------------------------------------------------------------------
// Enough to catch a shell from another build; the types themselves come from ts-rs.

type Check<T> = (value: unknown) => value is T;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function has(
  value: unknown,
  types: Record<string, "string" | "number" | "boolean">,
): value is Record<string, unknown> {
  return (
    isRecord(value) && Object.entries(types).every(([key, type]) => typeof value[key] === type)
  );
}

function isArrayOf<T>(check: Check<T>): Check<T[]> {
  return (value: unknown): value is T[] => Array.isArray(value) && value.every(check);
}

/** Commands that answer `()`, which serde writes as `null`. */
function isNothing(value: unknown): value is null {
  return value === null || value === undefined;
}

function isString(value: unknown): value is string {
  return typeof value === "string";
}

function isNumber(value: unknown): value is number {
  return typeof value === "number";
}

function isBoolean(value: unknown): value is boolean {
  return typeof value === "boolean";
}

function isOptional(value: unknown, type: "string" | "number"): boolean {
  return value === null || value === undefined || typeof value === type;
}

function isChildSummary(value: unknown): value is ChildSummary {
  return has(value, {
    id: "string",
    name: "string",
    added: "number",
    removed: "number",
    kept_user_tracks: "number",
  });
}

export function isSyncSummary(value: unknown): value is SyncSummary {
  return (
    has(value, {
      base: "string",
      base_name: "string",
      status: "string",
      unchanged: "boolean",
      added: "number",
      removed: "number",
      requests: "number",
      cache_hit_rate: "number",
      duration_ms: "number",
      headline: "string",
    }) &&
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
      status: "string",
      started_at: "number",
      undone: "boolean",
    }) &&
    isOptional(value.finished_at, "number") &&
    isOptional(value.undo_of, "string") &&
    isOptional(value.completed_by, "string") &&
    isOptional(value.error, "string") &&
    (isNothing(value.summary) || isSyncSummary(value.summary))
  );
}

export function isHubStatus(value: unknown): value is HubStatus {
  return (
    has(value, { paused: "boolean", background_sync: "boolean", tray: "string" }) &&
    Array.isArray(value.running) &&
    isOptional(value.next_sync_at, "number")
  );
}

function isSyncProgressEvent(value: unknown): value is SyncProgressEvent {
  return has(value, {
    base: "string",
    stage: "string",
    label: "string",
    done: "number",
    total: "number",
  });
}

function isSettingsView(value: unknown): value is SettingsView {
  return has(value, {
    background_sync: "boolean",
    notify_on_success: "boolean",
    notify_on_failure: "boolean",
    start_minimised: "boolean",
    start_at_login: "boolean",
    theme: "string",
  });
}

function isUndoView(value: unknown): value is UndoView {
  return (
    has(value, { event: "string" }) &&
    isArrayOf((child: unknown): child is UndoChild =>
      has(child, { id: "string", name: "string", tracks: "number", kept_added_by_hand: "number" }),
    )(value.children)
  );
}
