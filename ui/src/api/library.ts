import type { BaseView } from "../bindings/BaseView";
import type { ChildEditInput } from "../bindings/ChildEditInput";
import type { ChildView } from "../bindings/ChildView";
import type { ConnectionDetails } from "../bindings/ConnectionDetails";
import type { DemoSetupView } from "../bindings/DemoSetupView";
import type { DraftInput } from "../bindings/DraftInput";
import type { MirrorMode } from "../bindings/MirrorMode";
import type { NewChildInput } from "../bindings/NewChildInput";
import type { PageOf } from "../bindings/PageOf";
import type { PlaylistView } from "../bindings/PlaylistView";
import type { PreviewView } from "../bindings/PreviewView";
import type { RoutingMode } from "../bindings/RoutingMode";
import type { ServicePage } from "../bindings/ServicePage";
import { type Bridge, call, type Outcome, realBridge } from "./bridge";

// Generated from the Rust types in src-tauri/library.rs by ts-rs; never written by hand.
export type {
  BaseView,
  ChildEditInput,
  ChildView,
  DemoSetupView,
  DraftInput,
  MirrorMode,
  NewChildInput,
  PageOf,
  PlaylistView,
  PreviewView,
  RoutingMode,
  ServicePage,
};

/** What the Playlists page asks of the shell. */
export type LibraryApi = {
  isAvailable: () => boolean;
  listConnections: () => Promise<Outcome<ConnectionDetails[]>>;
  listPlaylists: (connection: string) => Promise<Outcome<PlaylistView[]>>;
  listBases: () => Promise<Outcome<BaseView[]>>;
  addBase: (connection: string, playlist: string) => Promise<Outcome<BaseView>>;
  removeBase: (base: string) => Promise<Outcome<null>>;
  addChild: (input: NewChildInput) => Promise<Outcome<ChildView>>;
  editChild: (input: ChildEditInput) => Promise<Outcome<null>>;
  removeChild: (child: string) => Promise<Outcome<null>>;
  setRouting: (
    base: string,
    mode: RoutingMode,
    order: string[],
    catchAll: string | null,
  ) => Promise<Outcome<BaseView>>;
  setSchedule: (base: string, schedule: string) => Promise<Outcome<BaseView>>;
  preview: (base: string) => Promise<Outcome<PreviewView>>;
  previewDraft: (draft: DraftInput) => Promise<Outcome<PreviewView>>;
  setUpDemo: () => Promise<Outcome<DemoSetupView>>;
  /** Opens a base, child or track on its service: the shell builds the address. */
  openInService: (what: PageOf) => Promise<Outcome<null>>;
};

export function createLibraryApi(bridge: Bridge = realBridge): LibraryApi {
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
    openInService: (what) => call(bridge, "open_in_service", { what }),
  };
}

export const defaultLibraryApi: LibraryApi = createLibraryApi();
