import type { CloudLiveEvent } from "../bindings/CloudLiveEvent";
import type { CloudLiveState } from "../bindings/CloudLiveState";
import type { CloudStatusView } from "../bindings/CloudStatusView";
import type { CloudSyncView } from "../bindings/CloudSyncView";
import type { ConflictItem } from "../bindings/ConflictItem";
import type { DeviceView } from "../bindings/DeviceView";
import type { EnrollmentView } from "../bindings/EnrollmentView";
import type { JoinView } from "../bindings/JoinView";
import type { PassphraseView } from "../bindings/PassphraseView";
import {
  type Bridge,
  type ConflictChoice,
  call,
  type Outcome,
  realBridge,
  subscribe,
  type Unlisten,
} from "./bridge";

// Generated from the Rust types in src-tauri/cloud.rs by ts-rs; never written by hand.
export type {
  CloudLiveEvent,
  CloudLiveState,
  CloudStatusView,
  CloudSyncView,
  ConflictChoice,
  ConflictItem,
  DeviceView,
  EnrollmentView,
  JoinView,
  PassphraseView,
};

/** The shell's event when the live connection changes or another device's changes arrive. */
export const CLOUD_LIVE_EVENT = "cloud-live" as const;

/** What the Cloud section asks of the shell. Passwords and passphrases go straight through. */
export type CloudApi = {
  status: () => Promise<Outcome<CloudStatusView>>;
  signIn: (
    server: string,
    email: string,
    password: string,
    create: boolean,
  ) => Promise<Outcome<CloudStatusView>>;
  passphrase: (passphrase: string) => Promise<Outcome<PassphraseView>>;
  sync: () => Promise<Outcome<CloudSyncView>>;
  conflicts: () => Promise<Outcome<ConflictItem[]>>;
  resolve: (conflict: string, choice: ConflictChoice) => Promise<Outcome<null>>;
  signOut: () => Promise<Outcome<null>>;
  /** Answers how many other devices were signed out. */
  changePassword: (current: string, next: string) => Promise<Outcome<number>>;
  /** Needs the account's password; a wrong one answers the code `wrong_password`. */
  deleteData: (confirm: string, password: string) => Promise<Outcome<null>>;
  /** Calls `handler` on each `cloud-live` event; resolves to the function that stops it. */
  onLive: (handler: (event: CloudLiveEvent) => void) => Promise<Unlisten>;
  /** A code (QR) a new device joins with; a bearer credential until used or expired. */
  createEnrollment: () => Promise<Outcome<EnrollmentView>>;
  devices: () => Promise<Outcome<DeviceView[]>>;
  renameDevice: (id: string, name: string) => Promise<Outcome<DeviceView>>;
  /** True when the removed device was this one (now signed out). */
  revokeDevice: (id: string) => Promise<Outcome<boolean>>;
  join: (code: string, name: string | null) => Promise<Outcome<JoinView>>;
};

/** The bridge the cloud section uses: the one bridge, whose events it listens to. */
export type CloudBridge = Bridge;

export function createCloudApi(b: CloudBridge = realBridge): CloudApi {
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
    onLive: (handler) => subscribe(b, CLOUD_LIVE_EVENT, handler),
    createEnrollment: () => call(b, "cloud_create_enrollment"),
    devices: () => call(b, "cloud_devices"),
    renameDevice: (id, name) => call(b, "cloud_rename_device", { id, name }),
    revokeDevice: (id) => call(b, "cloud_revoke_device", { id }),
    join: (code, name) => call(b, "cloud_join", { code, name }),
  };
}

export const defaultCloudApi: CloudApi = createCloudApi();
