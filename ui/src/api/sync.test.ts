import { describe, expect, it, vi } from "vitest";
import { fakeShell } from "../test/fakeConnections";
import { entry, hubStatus, settingsView, summary } from "../test/fakeSync";
import { UNAVAILABLE_MESSAGE } from "./connections";
import {
  createSyncApi,
  defaultSyncApi,
  isHistoryEntry,
  SYNC_FINISHED_EVENT,
  SYNC_PROGRESS_EVENT,
  SYNC_STATUS_EVENT,
} from "./sync";

const settings = settingsView({ theme: "dark" });

const progress = {
  base: "b1",
  stage: "writing",
  label: "Writing the children",
  done: 3,
  total: 10,
  eta_seconds: null,
};

describe("createSyncApi", () => {
  it("is unavailable outside the desktop shell, without calling it", async () => {
    const shell = fakeShell({ list_history: () => [] }, false);
    const api = createSyncApi(shell.bridge);
    expect(api.isAvailable()).toBe(false);
    expect(await api.listHistory()).toEqual({ ok: false, message: UNAVAILABLE_MESSAGE });
    expect((await api.syncBase("b1")).ok).toBe(false);
    expect((await api.deleteAllData("delete")).ok).toBe(false);
    const unlisten = await api.onSyncFinished(() => {});
    unlisten();
    expect(shell.calls).toEqual([]);
    expect(shell.listeners(SYNC_FINISHED_EVENT)).toBe(0);
  });

  it("is unavailable with the real bridge under Vitest (no Tauri globals)", async () => {
    expect(defaultSyncApi.isAvailable()).toBe(false);
    expect((await defaultSyncApi.getSettings()).ok).toBe(false);
  });

  it("calls each command by name with camelCase arguments", async () => {
    const shell = fakeShell({
      list_history: () => [entry()],
      retry_sync: () => null,
      sync_status: () => hubStatus(),
      sync_base: () => null,
      sync_all: () => 3,
      cancel_sync: () => true,
      undo_sync: () => ({
        event: "e1",
        children: [{ id: "k1", name: "Chill", tracks: 40, kept_added_by_hand: 0 }],
      }),
      tray_action: () => null,
      get_settings: () => settings,
      set_flag: () => null,
      set_theme: () => null,
      set_start_at_login: () => true,
      export_data: () => "/home/ada/Downloads/syncer-export-1.json",
      delete_all_data: () => null,
      open_log_folder: () => null,
    });
    const api = createSyncApi(shell.bridge);

    expect(await api.listHistory()).toEqual({ ok: true, value: [entry()] });
    expect((await api.listHistory("b1", "failed", 20)).ok).toBe(true);
    expect((await api.listHistory("", null)).ok).toBe(true);
    expect(await api.retrySync("e1")).toEqual({ ok: true, value: null });
    expect(await api.syncStatus()).toEqual({ ok: true, value: hubStatus() });
    expect((await api.syncBase("b1")).ok).toBe(true);
    expect((await api.syncBase("b1", true)).ok).toBe(true);
    expect(await api.syncAll()).toEqual({ ok: true, value: 3 });
    expect(await api.cancelSync("b1")).toEqual({ ok: true, value: true });
    expect(await api.undoSync("b1")).toEqual({
      ok: true,
      value: {
        event: "e1",
        children: [{ id: "k1", name: "Chill", tracks: 40, kept_added_by_hand: 0 }],
      },
    });
    expect((await api.trayAction("toggle_pause")).ok).toBe(true);
    expect(await api.getSettings()).toEqual({ ok: true, value: settings });
    expect((await api.setFlag("notify_on_success", true)).ok).toBe(true);
    expect((await api.setTheme("light")).ok).toBe(true);
    expect(await api.setStartAtLogin(true)).toEqual({ ok: true, value: true });
    expect(await api.exportData()).toEqual({
      ok: true,
      value: "/home/ada/Downloads/syncer-export-1.json",
    });
    expect((await api.deleteAllData("delete")).ok).toBe(true);
    expect((await api.openLogFolder()).ok).toBe(true);

    expect(shell.calls).toEqual([
      { command: "list_history", args: { base: null, status: null, limit: null } },
      { command: "list_history", args: { base: "b1", status: "failed", limit: 20 } },
      { command: "list_history", args: { base: null, status: null, limit: null } },
      { command: "retry_sync", args: { event: "e1" } },
      { command: "sync_status", args: {} },
      { command: "sync_base", args: { base: "b1", force: false } },
      { command: "sync_base", args: { base: "b1", force: true } },
      { command: "sync_all", args: {} },
      { command: "cancel_sync", args: { base: "b1" } },
      { command: "undo_sync", args: { base: "b1", dropAddedByHand: false } },
      { command: "tray_action", args: { action: "toggle_pause" } },
      { command: "get_settings", args: {} },
      { command: "set_flag", args: { setting: "notify_on_success", value: true } },
      { command: "set_theme", args: { theme: "light" } },
      { command: "set_start_at_login", args: { enabled: true } },
      { command: "export_data", args: {} },
      { command: "delete_all_data", args: { confirm: "delete" } },
      { command: "open_log_folder", args: {} },
    ]);
  });

  it("keeps the shell's error code, so a page can tell 'already syncing' apart", async () => {
    const api = createSyncApi(
      fakeShell({
        sync_base: () =>
          Promise.reject({ message: "Liked Songs is already syncing", code: "sync_in_progress" }),
        undo_sync: () => Promise.reject({ message: "nothing to undo", code: "made_up" }),
        cancel_sync: () => Promise.reject("the store is locked"),
      }).bridge,
    );
    expect(await api.syncBase("b1")).toEqual({
      ok: false,
      message: "Liked Songs is already syncing",
      code: "sync_in_progress",
    });
    // An unknown code is left out rather than passed on as a lie.
    expect(await api.undoSync("b1")).toEqual({ ok: false, message: "nothing to undo" });
    expect(await api.cancelSync("b1")).toEqual({ ok: false, message: "the store is locked" });
    expect(await api.syncAll()).toEqual({ ok: false, message: "command sync_all not found" });
  });

  it("refuses answers of the wrong shape", async () => {
    const api = createSyncApi(
      fakeShell({
        list_history: () => [{ id: "e1" }],
        sync_status: () => ({ running: "b1" }),
        get_settings: () => ({ theme: "dark" }),
        export_data: () => ({ path: "/tmp/x.json" }),
        sync_all: () => "3",
        undo_sync: () => ({ event: "e1", children: [{ id: "k1" }] }),
      }).bridge,
    );
    for (const result of [
      await api.listHistory(),
      await api.syncStatus(),
      await api.getSettings(),
      await api.exportData(),
      await api.syncAll(),
      await api.undoSync("b1"),
    ]) {
      expect(result.ok).toBe(false);
    }
  });

  it("accepts history entries with or without their numbers", () => {
    expect(isHistoryEntry(entry())).toBe(true);
    expect(isHistoryEntry(entry({ summary: null, finished_at: null }))).toBe(true);
    expect(isHistoryEntry({ ...entry(), summary: { headline: "x" } })).toBe(false);
  });

  it("delivers each event's payload and drops malformed ones", async () => {
    const shell = fakeShell();
    const api = createSyncApi(shell.bridge);
    const progressed = vi.fn();
    const finished = vi.fn();
    const status = vi.fn();
    const stops = [
      await api.onSyncProgress(progressed),
      await api.onSyncFinished(finished),
      await api.onSyncStatus(status),
    ];
    shell.emit(SYNC_PROGRESS_EVENT, progress);
    shell.emit(SYNC_PROGRESS_EVENT, { base: "b1" });
    shell.emit(SYNC_FINISHED_EVENT, summary());
    shell.emit(SYNC_FINISHED_EVENT, "done");
    shell.emit(SYNC_STATUS_EVENT, hubStatus({ paused: true }));
    shell.emit(SYNC_STATUS_EVENT, null);
    expect(progressed.mock.calls).toEqual([[progress]]);
    expect(finished.mock.calls).toEqual([[summary()]]);
    expect(status.mock.calls).toEqual([[hubStatus({ paused: true })]]);
    for (const stop of stops) {
      stop();
    }
    for (const event of [SYNC_PROGRESS_EVENT, SYNC_FINISHED_EVENT, SYNC_STATUS_EVENT]) {
      expect(shell.listeners(event)).toBe(0);
    }
  });

  it("survives a shell that cannot listen", async () => {
    const shell = fakeShell();
    shell.bridge.listen = () => Promise.reject(new Error("event plugin missing"));
    const api = createSyncApi(shell.bridge);
    const unlisten = await api.onSyncStatus(() => {});
    expect(() => unlisten()).not.toThrow();
  });
});
