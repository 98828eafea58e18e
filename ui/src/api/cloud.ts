import { listen as tauriListen } from "@tauri-apps/api/event";
import type { CloudLiveEvent } from "../bindings/CloudLiveEvent";
import type { CloudLiveState } from "../bindings/CloudLiveState";
import type { CloudStatusView } from "../bindings/CloudStatusView";
import type { CloudSyncView } from "../bindings/CloudSyncView";
import type { ConflictItem } from "../bindings/ConflictItem";
import type { DeviceView } from "../bindings/DeviceView";
import type { EnrollmentView } from "../bindings/EnrollmentView";
import type { JoinView } from "../bindings/JoinView";
import type { PassphraseView } from "../bindings/PassphraseView";
import { call, type InvokeBridge, type Result, realInvokeBridge } from "./library";

// Generated from the Rust types in src-tauri/cloud.rs by ts-rs; never written by hand.
export type {
  CloudLiveEvent,
  CloudLiveState,
  CloudStatusView,
  CloudSyncView,
  ConflictItem,
  DeviceView,
  EnrollmentView,
  JoinView,
  PassphraseView,
};

/** The shell's event when the live connection changes or another device's changes arrive. */
export const CLOUD_LIVE_EVENT = "cloud-live";

/** What the Cloud section asks of the shell. Passwords and passphrases go straight through. */
export type CloudApi = {
  status: () => Promise<Result<CloudStatusView>>;
  signIn: (
    server: string,
    email: string,
    password: string,
    create: boolean,
  ) => Promise<Result<CloudStatusView>>;
  passphrase: (passphrase: string) => Promise<Result<PassphraseView>>;
  sync: () => Promise<Result<CloudSyncView>>;
  conflicts: () => Promise<Result<ConflictItem[]>>;
  resolve: (conflict: string, choice: "local" | "remote") => Promise<Result<null>>;
  signOut: () => Promise<Result<null>>;
  /** Answers how many other devices were signed out. */
  changePassword: (current: string, next: string) => Promise<Result<number>>;
  /** Needs the account's password; a wrong one answers the code `wrong_password`. */
  deleteData: (confirm: string, password: string) => Promise<Result<null>>;
  /** Calls `handler` on each `cloud-live` event; resolves to the function that stops it. */
  onLive: (handler: (event: CloudLiveEvent) => void) => Promise<() => void>;
  /** A code (QR) a new device joins with; a bearer credential until used or expired. */
  createEnrollment: () => Promise<Result<EnrollmentView>>;
  devices: () => Promise<Result<DeviceView[]>>;
  renameDevice: (id: string, name: string) => Promise<Result<DeviceView>>;
  /** True when the removed device was this one (now signed out). */
  revokeDevice: (id: string) => Promise<Result<boolean>>;
  join: (code: string, name: string | null) => Promise<Result<JoinView>>;
};

/** A bridge that can also listen to the shell's events (the fake shell in tests does). */
export type CloudBridge = InvokeBridge & {
  listen?: <T>(event: string, handler: (payload: T) => void) => Promise<() => void>;
};

const realCloudBridge: CloudBridge = {
  ...realInvokeBridge,
  listen: <T>(event: string, handler: (payload: T) => void) =>
    tauriListen<T>(event, (e) => handler(e.payload)),
};

export function createCloudApi(b: CloudBridge = realCloudBridge): CloudApi {
  return {
    status: () => call(b, "cloud_status"),
    signIn: (server, email, password, create) =>
      call(b, "cloud_sign_in", { server, email, password, create }),
    passphrase: (passphrase) => call(b, "cloud_passphrase", { passphrase }),
    sync: () => call(b, "cloud_sync"),
    conflicts: () => call(b, "cloud_conflicts"),
    resolve: (conflict, choice) => call(b, "cloud_resolve", { conflict, choice }),
    signOut: () => call(b, "cloud_sign_out"),
    changePassword: (current, next) => call(b, "cloud_change_password", { current, new: next }),
    deleteData: (confirm, password) => call(b, "cloud_delete_data", { confirm, password }),
    onLive: async (handler) => {
      if (!b.isTauri() || b.listen === undefined) {
        return () => {};
      }
      return b.listen<CloudLiveEvent>(CLOUD_LIVE_EVENT, handler);
    },
    createEnrollment: () => call(b, "cloud_create_enrollment"),
    devices: () => call(b, "cloud_devices"),
    renameDevice: (id, name) => call(b, "cloud_rename_device", { id, name }),
    revokeDevice: (id) => call(b, "cloud_revoke_device", { id }),
    join: (code, name) => call(b, "cloud_join", { code, name }),
  };
}

export const defaultCloudApi: CloudApi = createCloudApi();
