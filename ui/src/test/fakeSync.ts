// A stand-in for the Tauri shell's sync, history and settings commands, for tests.

import { isTheme, oneOf, SETTINGS } from "../api/enums";
import type { HistoryEntry, HubStatus, SettingsView, SyncSummary } from "../api/sync";
import { createSyncApi } from "../api/sync";
import { type FakeShell, fakeShell, type Handler } from "./fakeConnections";

const isSetting = oneOf(SETTINGS);

/** 2026-03-01T12:00:00Z: the clock the pages' relative times count from in tests. */
export const NOW_MS = Date.UTC(2026, 2, 1, 12, 0, 0);
export const NOW_S = NOW_MS / 1000;

export function summary(overrides: Partial<SyncSummary> = {}): SyncSummary {
  return {
    base: "b1",
    base_name: "Liked Songs",
    status: "completed",
    unchanged: false,
    tracks: 120,
    added: 12,
    removed: 3,
    unrouted: 0,
    requests: 40,
    cache_hit_rate: 0.85,
    duration_ms: 1_200,
    children: [
      {
        id: "k1",
        name: "Chill",
        added: 10,
        removed: 1,
        kept_user_tracks: 2,
        note: null,
        error: null,
      },
      {
        id: "k2",
        name: "Workout",
        added: 2,
        removed: 2,
        kept_user_tracks: 0,
        note: "capped at 50 tracks",
        error: null,
      },
    ],
    error: null,
    headline: "12 added, 3 removed across 2 children (1.2 s)",
    ...overrides,
  };
}

export function entry(overrides: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id: "e1",
    base: "b1",
    base_name: "Liked Songs",
    status: "completed",
    started_at: NOW_S - 5 * 60,
    finished_at: NOW_S - 5 * 60 + 1,
    started_local: "2026-12-03 21:14 CET",
    finished_local: "2026-12-03 21:14 CET",
    undone: false,
    undo_of: null,
    completed_by: null,
    error: null,
    summary: summary(),
    completes: [],
    ...overrides,
  };
}

/** Three syncs of two bases, newest first: one completed, one failed, one cancelled. */
export function sampleHistory(): HistoryEntry[] {
  return [
    entry(),
    entry({
      id: "e2",
      base: "b2",
      base_name: "Discover Weekly",
      status: "failed",
      started_at: NOW_S - 3 * 3600,
      finished_at: NOW_S - 3 * 3600 + 4,
      error: "the service answered 503",
      summary: summary({
        base: "b2",
        base_name: "Discover Weekly",
        status: "failed",
        added: 0,
        removed: 0,
        duration_ms: 4_000,
        children: [
          {
            id: "k3",
            name: "Jazz",
            added: 0,
            removed: 0,
            kept_user_tracks: 0,
            note: null,
            error: "the service answered 503",
          },
        ],
        error: "the service answered 503",
        headline: "Failed: the service answered 503",
      }),
    }),
    entry({
      id: "e3",
      status: "cancelled",
      started_at: NOW_S - 2 * 86_400,
      finished_at: NOW_S - 2 * 86_400 + 2,
      summary: null,
    }),
  ];
}

export function hubStatus(overrides: Partial<HubStatus> = {}): HubStatus {
  return {
    running: [],
    paused: false,
    background_sync: true,
    next_sync_at: NOW_S + 30 * 60,
    tray: "idle",
    last_error: null,
    ...overrides,
  };
}

export const DEFAULT_SETTINGS: SettingsView = {
  settings: {
    background_sync: true,
    notify_on_success: false,
    notify_on_failure: true,
    start_minimised: false,
    theme: "system",
  },
  start_at_login: false,
};

/** Settings with `changes` to what Syncer keeps, and `startAtLogin` for the desktop's entry. */
export function settingsView(
  changes: Partial<SettingsView["settings"]> = {},
  startAtLogin = false,
): SettingsView {
  return {
    settings: { ...DEFAULT_SETTINGS.settings, ...changes },
    start_at_login: startAtLogin,
  };
}

/** A shell holding a history, settings and a hub; the handlers change the state like the real one. */
export function fakeSyncShell({
  history = sampleHistory(),
  settings = DEFAULT_SETTINGS,
  status = hubStatus(),
  handlers = {} as Record<string, Handler>,
} = {}) {
  const state = {
    history,
    settings: { ...settings, settings: { ...settings.settings } },
    status: { ...status },
  };
  const shell: FakeShell = fakeShell({
    list_history: (args) =>
      state.history
        .filter((e) => args.base === null || args.base === undefined || e.base === args.base)
        .filter(
          (e) => args.status === null || args.status === undefined || e.status === args.status,
        )
        .slice(0, typeof args.limit === "number" ? args.limit : 100),
    retry_sync: () => null,
    sync_status: () => state.status,
    get_settings: () => state.settings,
    set_flag: (args) => {
      if (!isSetting(args.setting) || typeof args.value !== "boolean") {
        return Promise.reject({ message: "invalid args for command set_flag", code: "invalid" });
      }
      state.settings = {
        ...state.settings,
        settings: { ...state.settings.settings, [args.setting]: args.value },
      };
      return null;
    },
    set_theme: (args) => {
      if (!isTheme(args.theme)) {
        return Promise.reject({ message: "invalid args for command set_theme", code: "invalid" });
      }
      state.settings = {
        ...state.settings,
        settings: { ...state.settings.settings, theme: args.theme },
      };
      return null;
    },
    set_start_at_login: (args) => {
      state.settings = { ...state.settings, start_at_login: args.enabled === true };
      return args.enabled === true;
    },
    tray_action: (args) => {
      if (args.action === "toggle_pause") {
        state.status = { ...state.status, paused: !state.status.paused };
      }
      return null;
    },
    export_data: () => "/home/ada/Downloads/syncer-export-1772366400.json",
    delete_all_data: (args) => {
      if (args.confirm !== "delete") {
        return Promise.reject({
          message: "Type delete to confirm; nothing was deleted.",
          code: "invalid",
        });
      }
      state.history = [];
      return null;
    },
    open_log_folder: () => null,
    ...handlers,
  });
  const api = createSyncApi(shell.bridge);
  return { shell, api, state };
}

export function callsOf(shell: FakeShell, command: string): Array<Record<string, unknown>> {
  return shell.calls.filter((call) => call.command === command).map((call) => call.args);
}

export function lastCall(shell: FakeShell, command: string): Record<string, unknown> | undefined {
  const calls = callsOf(shell, command);
  return calls[calls.length - 1];
}
