// How syncs read on screen: durations, times and rates (their status in words is in
// ../labels.ts). Shared by the History and Settings pages (and free for the Playlists page).

import type { HistoryEntry } from "../api/sync";

/** "0.4 s", "12.3 s", "3 min 5 s", "1 h 2 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) {
    return "—";
  }
  if (ms < 60_000) {
    return `${(ms / 1000).toFixed(1)} s`;
  }
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  }
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

/** How long a recorded sync took: its report's figure, or its start and end times. */
export function entryDurationMs(entry: HistoryEntry): number | null {
  if (entry.summary !== null && entry.summary.duration_ms > 0) {
    return entry.summary.duration_ms;
  }
  if (entry.finished_at !== null) {
    return Math.max(0, entry.finished_at - entry.started_at) * 1000;
  }
  return null;
}

/** A 0–1 rate as a whole percentage. */
export function formatPercent(rate: number): string {
  return Number.isFinite(rate) ? `${Math.round(Math.min(1, Math.max(0, rate)) * 100)}%` : "—";
}

// The app's words are English, so its relative times are too.
const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

const STEPS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number, number]> = [
  // unit, seconds in it, used below this many seconds
  ["minute", 60, 3600],
  ["hour", 3600, 86_400],
  ["day", 86_400, 7 * 86_400],
  ["week", 7 * 86_400, 35 * 86_400],
];

/** "just now", "5 minutes ago", "in 2 hours", "yesterday"; a date past five weeks. */
export function relativeTime(unixSeconds: number, nowMs: number): string {
  const diff = unixSeconds - nowMs / 1000;
  const size = Math.abs(diff);
  if (size < 45) {
    return diff <= 0 ? "just now" : "in less than a minute";
  }
  for (const [unit, seconds, below] of STEPS) {
    if (size < below) {
      return relative.format(Math.round(diff / seconds) || Math.sign(diff), unit);
    }
  }
  return new Date(unixSeconds * 1000).toLocaleDateString(undefined, { dateStyle: "medium" });
}

/** The full local date and time, for a title beside a relative time. */
export function absoluteTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toLocaleString(undefined, {
    dateStyle: "full",
    timeStyle: "medium",
  });
}

/** The machine-readable form for <time dateTime>. */
export function isoTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString();
}
