import { invoke as tauriInvoke, isTauri as tauriIsTauri } from "@tauri-apps/api/core";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { UpdateView } from "../bindings/UpdateView";
import { describeError } from "./appInfo";

// Generated from the Rust type in src-tauri/updates.rs by ts-rs.
export type { UpdateView };

/** An answer, or why there is none, with the shell's error code (e.g. `update_rejected`). */
export type UpdateOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; message: string; code?: ErrorCode };

/** The shell's update commands (src-tauri/updates.rs); tests pass their own. */
export type UpdatesApi = {
  isAvailable: () => boolean;
  status: () => Promise<UpdateOutcome<UpdateView>>;
  check: () => Promise<UpdateOutcome<UpdateView>>;
  /** Downloads, verifies, installs and restarts: on success the app goes away. */
  install: () => Promise<UpdateOutcome<null>>;
};

async function call<T>(command: string): Promise<UpdateOutcome<T>> {
  try {
    return { ok: true, value: await tauriInvoke<T>(command) };
  } catch (error) {
    const code =
      typeof error === "object" && error !== null && "code" in error
        ? ((error as { code?: ErrorCode }).code ?? undefined)
        : undefined;
    const message = describeError(error);
    return code === undefined ? { ok: false, message } : { ok: false, message, code };
  }
}

export const defaultUpdatesApi: UpdatesApi = {
  isAvailable: tauriIsTauri,
  status: () => call<UpdateView>("update_status"),
  check: () => call<UpdateView>("check_for_updates"),
  install: () => call<null>("install_update"),
};
