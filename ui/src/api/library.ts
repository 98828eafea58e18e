import { invoke as tauriInvoke, isTauri as tauriIsTauri } from "@tauri-apps/api/core";
import type { BaseView } from "../bindings/BaseView";
import type { ChildEditInput } from "../bindings/ChildEditInput";
import type { ChildView } from "../bindings/ChildView";
import type { CommandError } from "../bindings/CommandError";
import type { ConnectionDetails } from "../bindings/ConnectionDetails";
import type { DemoSetupView } from "../bindings/DemoSetupView";
import type { DraftInput } from "../bindings/DraftInput";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { NewChildInput } from "../bindings/NewChildInput";
import type { PlaylistView } from "../bindings/PlaylistView";
import type { PreviewView } from "../bindings/PreviewView";
import { describeError } from "./appInfo";

// Generated from the Rust types in src-tauri/library.rs by ts-rs; never written by hand.
export type {
  BaseView,
  ChildEditInput,
  ChildView,
  DemoSetupView,
  DraftInput,
  NewChildInput,
  PlaylistView,
  PreviewView,
};

/** A command's answer, or why there is none (with the shell's error code when it gave one). */
export type Result<T> = { ok: true; value: T } | { ok: false; message: string; code?: ErrorCode };

export const UNAVAILABLE =
  "This only works in the Syncer desktop app; this preview cannot reach it.";

export type InvokeBridge = {
  isTauri: () => boolean;
  invoke: <T>(command: string, args?: Record<string, unknown>) => Promise<T>;
};

const realBridge: InvokeBridge = {
  isTauri: tauriIsTauri,
  invoke: (command, args) => tauriInvoke(command, args),
};

function isCommandError(value: unknown): value is CommandError {
  return typeof value === "object" && value !== null && "message" in value;
}

/** Calls a command; a rejection becomes a sentence (and its code), never an exception. */
export async function call<T>(
  bridge: InvokeBridge,
  command: string,
  args?: Record<string, unknown>,
): Promise<Result<T>> {
  if (!bridge.isTauri()) {
    return { ok: false, message: UNAVAILABLE };
  }
  try {
    return { ok: true, value: await bridge.invoke<T>(command, args) };
  } catch (error) {
    if (isCommandError(error) && error.code !== undefined) {
      return { ok: false, message: error.message, code: error.code };
    }
    return { ok: false, message: describeError(error) };
  }
}

/** What the Playlists page asks of the shell. */
export type LibraryApi = {
  isAvailable: () => boolean;
  listConnections: () => Promise<Result<ConnectionDetails[]>>;
  listPlaylists: (connection: string) => Promise<Result<PlaylistView[]>>;
  listBases: () => Promise<Result<BaseView[]>>;
  addBase: (connection: string, playlist: string) => Promise<Result<BaseView>>;
  removeBase: (base: string) => Promise<Result<null>>;
  addChild: (input: NewChildInput) => Promise<Result<ChildView>>;
  editChild: (input: ChildEditInput) => Promise<Result<null>>;
  removeChild: (child: string) => Promise<Result<null>>;
  setRouting: (
    base: string,
    mode: string,
    order: string[],
    catchAll: string | null,
  ) => Promise<Result<BaseView>>;
  setSchedule: (base: string, schedule: string) => Promise<Result<BaseView>>;
  preview: (base: string) => Promise<Result<PreviewView>>;
  previewDraft: (draft: DraftInput) => Promise<Result<PreviewView>>;
  setUpDemo: () => Promise<Result<DemoSetupView>>;
};

export function createLibraryApi(bridge: InvokeBridge = realBridge): LibraryApi {
  return {
    isAvailable: () => bridge.isTauri(),
    listConnections: () => call(bridge, "list_connections"),
    listPlaylists: (connection) => call(bridge, "list_playlists", { connection }),
    listBases: () => call(bridge, "list_bases"),
    addBase: (connection, playlist) => call(bridge, "add_base", { connection, playlist }),
    removeBase: (base) => call(bridge, "remove_base", { base }),
    addChild: (input) => call(bridge, "add_child", { input }),
    editChild: (input) => call(bridge, "edit_child", { input }),
    removeChild: (child) => call(bridge, "remove_child", { child }),
    setRouting: (base, mode, order, catchAll) =>
      call(bridge, "set_routing", { base, mode, order, catchAll }),
    setSchedule: (base, schedule) => call(bridge, "set_schedule", { base, schedule }),
    preview: (base) => call(bridge, "preview", { base }),
    previewDraft: (draft) => call(bridge, "preview_draft", { draft }),
    setUpDemo: () => call(bridge, "set_up_demo"),
  };
}

export const defaultLibraryApi: LibraryApi = createLibraryApi();
