import type { ChildSummary } from "../bindings/ChildSummary";
import type { HistoryEntry } from "../bindings/HistoryEntry";
import type { HubStatus } from "../bindings/HubStatus";
import type { Setting } from "../bindings/Setting";
import type { Settings } from "../bindings/Settings";
import type { SettingsView } from "../bindings/SettingsView";
import type { Stage } from "../bindings/Stage";
import type { SyncProgressEvent } from "../bindings/SyncProgressEvent";
import type { SyncStatus } from "../bindings/SyncStatus";
import type { SyncSummary } from "../bindings/SyncSummary";
import type { Theme } from "../bindings/Theme";
import type { TrayState } from "../bindings/TrayState";
import type { UndoChild } from "../bindings/UndoChild";
import type { UndoView } from "../bindings/UndoView";
import {
  type Bridge,
  call,
  type Outcome,
  realBridge,
  subscribe,
  type TrayAction,
  type Unlisten,
} from "./bridge";

export { isHistoryEntry, isHubStatus, isSyncSummary } from "./checks";
// Generated from the Rust types (src-tauri/syncing.rs, history.rs, settings.rs, crates/app)
// by ts-rs.
export type {
  ChildSummary,
  HistoryEntry,
  HubStatus,
  Setting,
  Settings,
  SettingsView,
  Stage,
  SyncProgressEvent,
  SyncStatus,
  SyncSummary,
  Theme,
  TrayAction,
  TrayState,
  UndoChild,
  UndoView,
  Unlisten,
};

/** The events the shell's sync hub emits (src-tauri/syncing.rs). */
export const SYNC_PROGRESS_EVENT = "sync-progress" as const;
export const SYNC_FINISHED_EVENT = "sync-finished" as const;
export const SYNC_STATUS_EVENT = "sync-status" as const;

/** The Tauri functions this module needs; tests pass their own (see test/fakeConnections). */
export type SyncBridge = Bridge;

/** Everything the History, Settings and Playlists pages ask of the sync hub and settings. */
export type SyncApi = {
  /** False in a plain browser or a test: the pages show an "unavailable" state instead. */
  isAvailable: () => boolean;
  /** Syncs, newest first; an absent (or empty) base and an absent status mean every one. */
  listHistory: (
    base?: string | null,
    status?: SyncStatus | null,
    limit?: number,
  ) => Promise<Outcome<HistoryEntry[]>>;
  /** Runs the base of a past sync again, in full; the end arrives as `sync-finished`. */
  retrySync: (event: string) => Promise<Outcome<null>>;
  syncStatus: () => Promise<Outcome<HubStatus>>;
  /** Starts a sync in the background; progress and the end arrive as events. */
  syncBase: (base: string, force?: boolean) => Promise<Outcome<null>>;
  /** Starts every base, one after another; answers how many bases there are. */
  syncAll: () => Promise<Outcome<number>>;
  /** Answers whether a running sync was asked to stop. */
  cancelSync: (base: string) => Promise<Outcome<boolean>>;
  /** Puts back the children the base's last sync wrote to; tracks added by hand since stay
   * unless `dropAddedByHand`. */
  undoSync: (base: string, dropAddedByHand?: boolean) => Promise<Outcome<UndoView>>;
  trayAction: (action: TrayAction) => Promise<Outcome<null>>;
  getSettings: () => Promise<Outcome<SettingsView>>;
  setFlag: (setting: Setting, value: boolean) => Promise<Outcome<null>>;
  setTheme: (theme: Theme) => Promise<Outcome<null>>;
  /** Answers whether Syncer now starts at login (the desktop may refuse). */
  setStartAtLogin: (enabled: boolean) => Promise<Outcome<boolean>>;
  /** Writes every local record as JSON; answers the file's path. */
  exportData: () => Promise<Outcome<string>>;
  /** The shell refuses anything but "delete", so a slip deletes nothing. */
  deleteAllData: (confirm: string) => Promise<Outcome<null>>;
  openLogFolder: () => Promise<Outcome<null>>;
  onSyncProgress: (handler: (progress: SyncProgressEvent) => void) => Promise<Unlisten>;
  onSyncFinished: (handler: (summary: SyncSummary) => void) => Promise<Unlisten>;
  onSyncStatus: (handler: (status: HubStatus) => void) => Promise<Unlisten>;
};

export function createSyncApi(bridge: SyncBridge = realBridge): SyncApi {
  return {
    isAvailable: () => bridge.isTauri(),
    listHistory: (base, status, limit) =>
      call(bridge, "list_history", {
        // `null` reads as "none" on the Rust side (Option): every base, every status.
        base: base === undefined || base === "" ? null : base,
        status: status ?? null,
        limit: limit ?? null,
      }),
    retrySync: (event) => call(bridge, "retry_sync", { event }),
    syncStatus: () => call(bridge, "sync_status"),
    syncBase: (base, force = false) => call(bridge, "sync_base", { base, force }),
    syncAll: () => call(bridge, "sync_all"),
    cancelSync: (base) => call(bridge, "cancel_sync", { base }),
    undoSync: (base, dropAddedByHand = false) =>
      call(bridge, "undo_sync", { base, dropAddedByHand }),
    trayAction: (action) => call(bridge, "tray_action", { action }),
    getSettings: () => call(bridge, "get_settings"),
    setFlag: (setting, value) => call(bridge, "set_flag", { setting, value }),
    setTheme: (theme) => call(bridge, "set_theme", { theme }),
    setStartAtLogin: (enabled) => call(bridge, "set_start_at_login", { enabled }),
    exportData: () => call(bridge, "export_data"),
    deleteAllData: (confirm) => call(bridge, "delete_all_data", { confirm }),
    openLogFolder: () => call(bridge, "open_log_folder"),
    onSyncProgress: (handler) => subscribe(bridge, SYNC_PROGRESS_EVENT, handler),
    onSyncFinished: (handler) => subscribe(bridge, SYNC_FINISHED_EVENT, handler),
    onSyncStatus: (handler) => subscribe(bridge, SYNC_STATUS_EVENT, handler),
  };
}

/** The shell's API for the running app; "unavailable" under Vitest and in a plain browser. */
export const defaultSyncApi: SyncApi = createSyncApi();
