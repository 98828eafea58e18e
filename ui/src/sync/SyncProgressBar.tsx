import type { SyncProgressEvent } from "../api/sync";
import { stageLabel } from "../labels";
import "./sync.css";

/** "about 40 s left" / "about 3 min left"; nothing until the shell can tell. */
export function formatEta(seconds: number | null): string {
  if (seconds === null) {
    return "";
  }
  if (seconds < 60) {
    return `about ${Math.max(1, seconds)} s left`;
  }
  return `about ${Math.round(seconds / 60)} min left`;
}

/** The stage a running sync is in, how far along it is and the time left: the Playlists page
 * and History show the same bar, from the same `sync-progress` events. */
export function SyncProgressBar({
  name,
  progress,
  note,
}: {
  /** The base's name, for the bar's label. */
  name: string;
  /** Nothing yet means the sync has only just started. */
  progress: SyncProgressEvent | undefined;
  note?: string | undefined;
}) {
  const percent =
    progress !== undefined && progress.total > 0
      ? Math.round((100 * progress.done) / progress.total)
      : undefined;
  return (
    <div className="sync-progress" role="status" aria-live="polite" data-testid="sync-progress">
      <p>
        {progress === undefined ? "Starting" : stageLabel(progress)}
        {percent === undefined ? "…" : ` — ${percent}%`}{" "}
        <span className="muted">{formatEta(progress?.eta_seconds ?? null)}</span>
      </p>
      <progress
        max={progress?.total ?? 1}
        value={progress?.done ?? 0}
        aria-label={`Sync progress of ${name}`}
      />
      {note === undefined ? null : <p className="muted small">{note}</p>}
    </div>
  );
}
