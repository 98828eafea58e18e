import type { CallbackChannel } from "../bindings/CallbackChannel";
import type { ConnectionDetails } from "../bindings/ConnectionDetails";
import type { HealthState } from "../bindings/HealthState";

export type BadgeTone = "ok" | "warning";

const HEALTH_LABELS: Record<HealthState, { label: string; tone: BadgeTone }> = {
  ready: { label: "Ready", tone: "ok" },
  will_refresh: { label: "Ready", tone: "ok" },
  reconnect_needed: { label: "Reconnect needed", tone: "warning" },
  secret_missing: { label: "Sign-in missing", tone: "warning" },
  vault_unavailable: { label: "Sign-in store unavailable", tone: "warning" },
};

/** The badge a connection card shows: the stored status, sharpened by the live health check. */
export function statusBadge({ connection, health }: ConnectionDetails): {
  label: string;
  tone: BadgeTone;
} {
  const known = HEALTH_LABELS[health.state];
  if (connection.status === "reconnect_needed" && known?.tone !== "warning") {
    return HEALTH_LABELS.reconnect_needed;
  }
  // A newer shell may report a state this build does not know: say so rather than "Ready".
  return known ?? { label: "Unknown", tone: "warning" };
}

/** Whether signing in again is the fix, so the card offers "Reconnect". */
export function needsReconnect({ connection, health }: ConnectionDetails): boolean {
  return (
    connection.status === "reconnect_needed" ||
    health.state === "reconnect_needed" ||
    health.state === "secret_missing"
  );
}

export const CHANNEL_LABELS: Record<CallbackChannel, string> = {
  loopback: "Local browser redirect (recommended)",
  deep_link: "syncer:// link",
};

export const DEFAULT_CHANNEL: CallbackChannel = "loopback";
