// How the shell's enums read on screen: one place for each, typed by the generated unions, so
// a value added on the Rust side is a type error here until it has its words.

import type { MirrorMode } from "./bindings/MirrorMode";
import type { NoPage } from "./bindings/NoPage";
import type { RoutingMode } from "./bindings/RoutingMode";
import type { Stage } from "./bindings/Stage";
import type { SyncProgressEvent } from "./bindings/SyncProgressEvent";
import type { SyncStatus } from "./bindings/SyncStatus";
import type { Theme } from "./bindings/Theme";
import type { TrayState } from "./bindings/TrayState";

/** A status in words, with a glyph beside it so it never rests on colour alone. */
export type StatusLook = {
  label: string;
  glyph: string;
  /** Picks the badge's colours (`sync-status--<tone>`). */
  tone: "ok" | "danger" | "warning" | "accent";
};

const STATUS_LOOKS: Record<SyncStatus, StatusLook> = {
  completed: { label: "Completed", glyph: "✓", tone: "ok" },
  failed: { label: "Failed", glyph: "✕", tone: "danger" },
  cancelled: { label: "Cancelled", glyph: "■", tone: "warning" },
  in_progress: { label: "In progress", glyph: "↻", tone: "accent" },
};

/** How a sync's status reads in the history and its filter. */
export function statusLook(status: SyncStatus): StatusLook {
  return STATUS_LOOKS[status];
}

/** A sync's stages, as the engine names them (crates/core `Stage::label`). */
export const STAGE_LABELS: Record<Stage, string> = {
  checking_base: "Checking the base",
  reading_base: "Reading the base",
  enriching: "Looking up metadata",
  routing: "Routing",
  reading_children: "Reading the children",
  writing: "Writing the children",
  done: "Done",
};

/** The stage a progress event is at: the shell's words, or ours when it sent none. */
export function stageLabel(progress: Pick<SyncProgressEvent, "stage" | "label">): string {
  return progress.label.trim() === "" ? STAGE_LABELS[progress.stage] : progress.label;
}

/** Where a base's tracks may go, as its routing select offers it. */
export const ROUTING_MODE_LABELS: Record<RoutingMode, string> = {
  independent: "Every child whose filter matches",
  first_match: "Only the first matching child, in the order below",
};

/** What a child does with tracks added by hand: as its editor offers it, and in short. */
export const MIRROR_MODE_LABELS: Record<MirrorMode, { choice: string; short: string }> = {
  keep_user_tracks: { choice: "Keep them (default)", short: "keeps tracks you add" },
  strict: {
    choice: "Remove them: the child is exactly the filter (strict)",
    short: "strict mirror",
  },
};

/** What the tray's icon means, in words (the tray's tooltip and the Settings page). */
export const TRAY_STATE_LABELS: Record<TrayState, string> = {
  idle: "Idle",
  syncing: "Syncing",
  error: "The last sync failed",
};

export const THEME_LABELS: Record<Theme, string> = {
  system: "Same as your system",
  light: "Light",
  dark: "Dark",
};

/** Why a playlist or track has no "Open in Spotify" (ServicePage's `none`). */
export const NO_PAGE_LABELS: Record<NoPage, string> = {
  demo: "Demo library: no Spotify page",
  unknown_provider: "No page to open on this service yet",
  bad_id: "No service page for this id",
};
