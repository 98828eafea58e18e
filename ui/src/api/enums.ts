// The generated enums' values at run time, for checking answers and filling selects. Each list
// is built from a `Record<Enum, true>`, so TypeScript refuses it when the Rust enum (and its
// generated union) gains or loses a value: update the record, and the labels in ../labels.ts.

import type { CallbackChannel } from "../bindings/CallbackChannel";
import type { CloudLiveState } from "../bindings/CloudLiveState";
import type { ErrorKind } from "../bindings/ErrorKind";
import type { MirrorMode } from "../bindings/MirrorMode";
import type { NoPage } from "../bindings/NoPage";
import type { RoutingMode } from "../bindings/RoutingMode";
import type { Setting } from "../bindings/Setting";
import type { Stage } from "../bindings/Stage";
import type { SyncStatus } from "../bindings/SyncStatus";
import type { Theme } from "../bindings/Theme";
import type { TrayState } from "../bindings/TrayState";
import type { VaultPlace } from "../bindings/VaultPlace";

export type {
  CallbackChannel,
  CloudLiveState,
  ErrorKind,
  MirrorMode,
  NoPage,
  RoutingMode,
  Setting,
  Stage,
  SyncStatus,
  Theme,
  TrayState,
  VaultPlace,
};

/** The values of a string union, in the record's order (the order a select shows). */
function valuesOf<T extends string>(all: Record<T, true>): readonly T[] {
  return Object.keys(all) as T[];
}

export const ERROR_KINDS: readonly ErrorKind[] = valuesOf<ErrorKind>({
  sync_in_progress: true,
  not_found: true,
  bad_query: true,
  invalid: true,
  exists: true,
  service: true,
  reconnect_needed: true,
  vault_locked: true,
  cancelled: true,
  store: true,
  config: true,
  cloud_key: true,
  cloud: true,
  password_required: true,
  wrong_password: true,
  refused: true,
});

/** In the order the History page's filter lists them. */
export const SYNC_STATUSES: readonly SyncStatus[] = valuesOf<SyncStatus>({
  completed: true,
  failed: true,
  cancelled: true,
  in_progress: true,
});

export const STAGES: readonly Stage[] = valuesOf<Stage>({
  checking_base: true,
  reading_base: true,
  enriching: true,
  routing: true,
  reading_children: true,
  writing: true,
  done: true,
});

export const TRAY_STATES: readonly TrayState[] = valuesOf<TrayState>({
  idle: true,
  syncing: true,
  error: true,
});

export const ROUTING_MODES: readonly RoutingMode[] = valuesOf<RoutingMode>({
  independent: true,
  first_match: true,
});

/** The default first. */
export const MIRROR_MODES: readonly MirrorMode[] = valuesOf<MirrorMode>({
  keep_user_tracks: true,
  strict: true,
});

export const THEMES: readonly Theme[] = valuesOf<Theme>({ system: true, light: true, dark: true });

export const SETTINGS: readonly Setting[] = valuesOf<Setting>({
  background_sync: true,
  notify_on_success: true,
  notify_on_failure: true,
  start_minimised: true,
});

export const VAULT_PLACES: readonly VaultPlace[] = valuesOf<VaultPlace>({
  keyring: true,
  file: true,
  memory: true,
  unavailable: true,
});

export const CALLBACK_CHANNELS: readonly CallbackChannel[] = valuesOf<CallbackChannel>({
  deep_link: true,
  loopback: true,
});

export const CLOUD_LIVE_STATES: readonly CloudLiveState[] = valuesOf<CloudLiveState>({
  live: true,
  reconnecting: true,
  off: true,
});

/** A check that `value` is one of `values` (a select's value, an answer's field). */
export function oneOf<T extends string>(values: readonly T[]) {
  return (value: unknown): value is T => (values as readonly unknown[]).includes(value);
}

export const isErrorKind = oneOf(ERROR_KINDS);
export const isSyncStatus = oneOf(SYNC_STATUSES);
export const isStage = oneOf(STAGES);
export const isTrayState = oneOf(TRAY_STATES);
export const isRoutingMode = oneOf(ROUTING_MODES);
export const isMirrorMode = oneOf(MIRROR_MODES);
export const isTheme = oneOf(THEMES);
export const isVaultPlace = oneOf(VAULT_PLACES);
export const isCallbackChannel = oneOf(CALLBACK_CHANNELS);
export const isCloudLiveState = oneOf(CLOUD_LIVE_STATES);

export const NO_PAGE_REASONS: readonly NoPage[] = valuesOf<NoPage>({
  demo: true,
  unknown_provider: true,
  bad_id: true,
});

export function isNoPage(value: unknown): value is NoPage {
  return typeof value === "string" && (NO_PAGE_REASONS as readonly string[]).includes(value);
}
