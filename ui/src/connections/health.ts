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
  rate_limited: { label: "Rate-limited", tone: "warning" },
  not_in_app_users: { label: "Not on the app's user list", tone: "warning" },
};

/** "Rate-limited until 15:42" (or with the date when it is not today), in local time. */
export function rateLimitedLabel(untilUnixSeconds: number, now: Date = new Date()): string {
  const until = new Date(untilUnixSeconds * 1000);
  const sameDay = until.toDateString() === now.toDateString();
  const time = until.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  const when = sameDay
    ? time
    : `${until.toLocaleDateString(undefined, { month: "short", day: "numeric" })} ${time}`;
  return `Rate-limited until ${when}`;
}

/** The badge a connection card shows: the stored status, sharpened by the live health check. */
export function statusBadge({ connection, health }: ConnectionDetails): {
  label: string;
  tone: BadgeTone;
} {
  const known = HEALTH_LABELS[health.state];
  const pauseOnly = health.state === "rate_limited";
  if (connection.status === "reconnect_needed" && (known?.tone !== "warning" || pauseOnly)) {
    return HEALTH_LABELS.reconnect_needed;
  }
  if (health.state === "rate_limited" && health.rate_limited_until !== null) {
    return { label: rateLimitedLabel(health.rate_limited_until), tone: "warning" };
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
