import type { AppInfo } from "../bindings/AppInfo";
import type { ErrorKind } from "../bindings/ErrorKind";
import { type Bridge, call, realBridge } from "./bridge";
import type { AppInfoWire } from "./checks";

export { describeError } from "./bridge";
export { isAppInfo } from "./checks";
// Generated from the Rust type in src-tauri/app_info.rs by ts-rs; never written by hand.
export type { AppInfo };

/** Every way asking for the app info can end, so the page renders each one on purpose. */
export type AppInfoResult =
  | { kind: "ok"; info: AppInfo }
  /** Not inside the desktop shell: a plain browser (`npm run dev`) or a test. */
  | { kind: "unavailable" }
  | { kind: "error"; message: string; code?: ErrorKind };

/** The Tauri functions this wrapper needs; tests pass their own. */
export type TauriBridge = Bridge;

export async function loadAppInfo(bridge: TauriBridge = realBridge): Promise<AppInfoResult> {
  if (!bridge.isTauri()) {
    return { kind: "unavailable" };
  }
  const outcome = await call(bridge, "app_info");
  if (outcome.ok) {
    return { kind: "ok", info: normalise(outcome.value) };
  }
  const { message, code } = outcome;
  return code === undefined ? { kind: "error", message } : { kind: "error", message, code };
}

function normalise({ databaseError, ...rest }: AppInfoWire): AppInfo {
  return typeof databaseError === "string" ? { ...rest, databaseError } : rest;
}
