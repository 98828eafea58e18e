import type { UpdateView } from "../bindings/UpdateView";
import { type Bridge, call, type Outcome, realBridge } from "./bridge";

// Generated from the Rust type in src-tauri/updates.rs by ts-rs.
export type { UpdateView };

/** The shell's update commands (src-tauri/updates.rs); tests pass their own. */
export type UpdatesApi = {
  isAvailable: () => boolean;
  status: () => Promise<Outcome<UpdateView>>;
  check: () => Promise<Outcome<UpdateView>>;
  /**
   * Downloads, verifies, installs and restarts: on success the app goes away. A download whose
   * signature does not match answers `refused`, with nothing installed.
   */
  install: () => Promise<Outcome<UpdateView>>;
};

export function createUpdatesApi(bridge: Bridge = realBridge): UpdatesApi {
  return {
    isAvailable: bridge.isTauri,
    status: () => call(bridge, "update_status"),
    check: () => call(bridge, "check_for_updates"),
    install: () => call(bridge, "install_update"),
  };
}

export const defaultUpdatesApi: UpdatesApi = createUpdatesApi();
