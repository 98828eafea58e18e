// Fixtures for the cloud section's tests.

import type { CloudStatusView } from "../api/cloud";

/** A signed-out device's cloud status, with `overrides` applied. */
export function cloudStatus(overrides: Partial<CloudStatusView> = {}): CloudStatusView {
  return {
    signed_in: false,
    server_url: null,
    default_server_url: "http://127.0.0.1:8787",
    email: null,
    device_id: null,
    key_id: null,
    unlocked: false,
    last_sync_at: null,
    records: 0,
    open_conflicts: 0,
    ...overrides,
  };
}
