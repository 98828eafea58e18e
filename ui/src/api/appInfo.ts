import { invoke as tauriInvoke, isTauri as tauriIsTauri } from "@tauri-apps/api/core";

import type { AppInfo } from "../bindings/AppInfo";

// Generated from the Rust type in src-tauri/app_info.rs by ts-rs; never written by hand.
export type { AppInfo };

/** Every way asking for the app info can end, so the page renders each one on purpose. */
export type AppInfoResult =
  | { kind: "ok"; info: AppInfo }
  /** Not inside the desktop shell: a plain browser (`npm run dev`) or a test. */
  | { kind: "unavailable" }
  | { kind: "error"; message: string };

/** The two Tauri functions this wrapper needs; tests pass their own. */
export type TauriBridge = {
  isTauri: () => boolean;
  invoke: <T>(command: string) => Promise<T>;
};

const realBridge: TauriBridge = {
  isTauri: tauriIsTauri,
  invoke: (command) => tauriInvoke(command),
};

export async function loadAppInfo(bridge: TauriBridge = realBridge): Promise<AppInfoResult> {
  if (!bridge.isTauri()) {
    return { kind: "unavailable" };
  }
  try {
    const value = await bridge.invoke<unknown>("app_info");
    // The shell and the UI are built together, but a mismatch after a partial update should
    // show as a message, not as "undefined" paths on screen.
    if (!isAppInfo(value)) {
      return { kind: "error", message: "The app answered in an unexpected format." };
    }
    return { kind: "ok", info: normalise(value) };
  } catch (error) {
    return { kind: "error", message: describeError(error) };
  }
}

/** The wire shape: serde writes a missing database error as `null`, not as an absent field. */
type AppInfoWire = Omit<AppInfo, "databaseError"> & { databaseError?: string | null };

export function isAppInfo(value: unknown): value is AppInfoWire {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const record = value as Record<string, unknown>;
  const required = ["version", "dataDir", "logDir", "databasePath"] as const;
  return (
    required.every((key) => typeof record[key] === "string") &&
    (record.databaseError === undefined ||
      record.databaseError === null ||
      typeof record.databaseError === "string")
  );
}

function normalise({ databaseError, ...rest }: AppInfoWire): AppInfo {
  return typeof databaseError === "string" ? { ...rest, databaseError } : rest;
}

/** Tauri rejects with whatever the command's error serialises to: often a bare string. */
export function describeError(error: unknown): string {
  if (typeof error === "string" && error.trim() !== "") {
    return error;
  }
  if (error instanceof Error && error.message.trim() !== "") {
    return error.message;
  }
  if (typeof error === "object" && error !== null && "message" in error) {
    const message = (error as { message: unknown }).message;
    if (typeof message === "string" && message.trim() !== "") {
      return message;
    }
  }
  return "Unknown error.";
}
