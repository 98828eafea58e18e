import { useId, useState } from "react";
import type { Outcome } from "../api/bridge";
import { isRoutingMode, ROUTING_MODES } from "../api/enums";
import type { BaseView, ChildView, LibraryApi, PreviewView, RoutingMode } from "../api/library";
import type { SyncProgressEvent, SyncSummary, UndoView } from "../api/sync";
import { MIRROR_MODE_LABELS, ROUTING_MODE_LABELS } from "../labels";
import { SyncProgressBar } from "../sync/SyncProgressBar";
import { PreviewPanel } from "./PreviewPanel";
import { ServiceLink } from "./ServiceLink";

/** The sync commands a base card uses (the sync API provides them). */
export type SyncControls = {
  syncBase: (base: string, force?: boolean) => Promise<Outcome<null>>;
  cancelSync: (base: string) => Promise<Outcome<boolean>>;
  undoSync: (base: string, dropAddedByHand?: boolean) => Promise<Outcome<UndoView>>;
};

export const SCHEDULES: ReadonlyArray<{ value: string; label: string }> = [
  { value: "manual", label: "Only when I press Sync" },
  { value: "every 30m", label: "Every 30 minutes" },
  { value: "every 1h", label: "Every hour" },
  { value: "every 6h", label: "Every 6 hours" },
  { value: "daily 07:00", label: "Daily at 07:00" },
  { value: "on-change 5m", label: "When the base changes (checked every 5 min)" },
];

type BaseCardProps = {
  base: BaseView;
  api: LibraryApi;
  sync: SyncControls;
  progress?: SyncProgressEvent | undefined;
  lastResult?: SyncSummary | undefined;
  onChanged: () => void;
  onEditChild: (child: ChildView | null) => void;
};

/** One base: its sync controls and progress, routing and schedule, and its children. */
export function BaseCard({
  base,
  api,
  sync,
  progress,
  lastResult,
  onChanged,
  onEditChild,
}: BaseCardProps) {
  const ids = useId();
  const [message, setMessage] = useState<{ kind: "ok" | "warning"; text: string } | null>(null);
  const [preview, setPreview] = useState<PreviewView | null>(null);
  const [busy, setBusy] = useState(false);
  const [dropAddedByHand, setDropAddedByHand] = useState(false);
  const locked = base.syncing;
  const lockReason = locked
    ? "Syncing: edits are paused until it finishes or is cancelled."
    : undefined;

  async function run<T>(action: () => Promise<Outcome<T>>, ok?: (value: T) => string) {
    setBusy(true);
    const result = await action();
    setBusy(false);
    if (result.ok) {
      setMessage(ok === undefined ? null : { kind: "ok", text: ok(result.value) });
      onChanged();
    } else {
      setMessage({ kind: "warning", text: result.message });
    }
  }

  const schedules = SCHEDULES.some((s) => s.value === base.schedule)
    ? SCHEDULES
    : [...SCHEDULES, { value: base.schedule, label: base.schedule }];

  // Children are tried in order only when the first match takes a track.
  const ordered = base.routing === "first_match";

  function setRouting(mode: RoutingMode) {
    void run(() =>
      api.setRouting(
        base.id,
        mode,
        base.children.map((c) => c.id),
        base.catch_all,
      ),
    );
  }

  function move(index: number, by: number) {
    const order = base.children.map((c) => c.id);
    const [moved] = order.splice(index, 1);
    if (moved === undefined) {
      return;
    }
    order.splice(index + by, 0, moved);
    void run(() => api.setRouting(base.id, base.routing, order, base.catch_all));
  }

  return (
    <article className="card base-card" aria-labelledby={`${ids}-title`} data-testid="base-card">
      <header className="base-card__header">
        <div>
          <h2 className="card__title" id={`${ids}-title`}>
            {base.name}
          </h2>
          <p className="muted small">
            {base.connection_name} ·{" "}
            {base.last_synced_at === null
              ? "never synced"
              : `last synced ${new Date(base.last_synced_at).toLocaleString()}`}{" "}
            ·{" "}
            <ServiceLink
              page={base.page}
              what={{ kind: "base", base: base.id }}
              name={base.name}
              api={api}
            />
          </p>
        </div>
        <div className="actions">
          {locked ? (
            <button
              type="button"
              className="button"
              onClick={() =>
                void run(
                  () => sync.cancelSync(base.id),
                  () => "Cancelling at the next safe point…",
                )
              }
            >
              Cancel sync
            </button>
          ) : (
            <button
              type="button"
              className="button button--primary"
              disabled={busy}
              onClick={() => void run(() => sync.syncBase(base.id))}
            >
              Sync now
            </button>
          )}
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() =>
              void api.preview(base.id).then((r) => {
                if (r.ok) {
                  setPreview(r.value);
                } else {
                  setMessage({ kind: "warning", text: r.message });
                }
              })
            }
          >
            Preview
          </button>
          <button
            type="button"
            className="button"
            disabled={busy || locked}
            title={lockReason}
            onClick={() =>
              void run(
                () => sync.undoSync(base.id, dropAddedByHand),
                (u) =>
                  `Undone: ${u.children
                    .map(
                      (c) =>
                        `${c.name} has ${c.tracks} tracks again` +
                        (c.kept_added_by_hand > 0
                          ? ` (${c.kept_added_by_hand} you added by hand since were kept)`
                          : ""),
                    )
                    .join("; ")}`,
              )
            }
          >
            Undo last sync
          </button>
          <label className="small" title="By default, tracks you added by hand since the sync stay">
            <input
              type="checkbox"
              checked={dropAddedByHand}
              disabled={busy || locked}
              onChange={(e) => setDropAddedByHand(e.currentTarget.checked)}
              data-testid="undo-drop-added-by-hand"
            />{" "}
            Undo also takes out tracks I added by hand since
          </label>
        </div>
      </header>

      {locked ? <SyncProgressBar name={base.name} progress={progress} note={lockReason} /> : null}

      {lastResult !== undefined && !locked ? (
        <p
          className={
            lastResult.status === "failed" ? "notice notice--warning" : "notice notice--ok"
          }
          role="status"
          data-testid="sync-result"
        >
          {lastResult.headline}
        </p>
      ) : null}
      {message === null ? null : (
        <p
          className={message.kind === "ok" ? "notice notice--ok" : "notice notice--warning"}
          role={message.kind === "ok" ? "status" : "alert"}
        >
          {message.text}
        </p>
      )}

      <div className="base-card__settings">
        <p className="field">
          <label htmlFor={`${ids}-schedule`}>Sync by itself</label>
          <select
            id={`${ids}-schedule`}
            className="input"
            value={base.schedule}
            onChange={(e) => void run(() => api.setSchedule(base.id, e.target.value))}
          >
            {schedules.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </p>
        <p className="field">
          <label htmlFor={`${ids}-routing`}>A track may go to</label>
          <select
            id={`${ids}-routing`}
            className="input"
            value={base.routing}
            disabled={locked}
            title={lockReason}
            onChange={(e) => {
              const mode = e.target.value;
              if (isRoutingMode(mode)) {
                setRouting(mode);
              }
            }}
          >
            {ROUTING_MODES.map((mode) => (
              <option key={mode} value={mode}>
                {ROUTING_MODE_LABELS[mode]}
              </option>
            ))}
          </select>
        </p>
        {ordered ? (
          <p className="field">
            <label htmlFor={`${ids}-catch`}>Tracks no child takes go to</label>
            <select
              id={`${ids}-catch`}
              className="input"
              value={base.catch_all ?? ""}
              disabled={locked}
              onChange={(e) =>
                void run(() =>
                  api.setRouting(
                    base.id,
                    base.routing,
                    base.children.map((c) => c.id),
                    e.target.value === "" ? null : e.target.value,
                  ),
                )
              }
            >
              <option value="">Nowhere</option>
              {base.children.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </p>
        ) : null}
      </div>

      <h3 className="base-card__children-title">Children</h3>
      {base.children.length === 0 ? (
        <p className="muted">
          No child yet: add one with a filter, such as “genre:rock year:2015..2020”.
        </p>
      ) : (
        <ol className="child-list" aria-label={`Children of ${base.name}`}>
          {base.children.map((c, i) => (
            <li key={c.id} className="child-card" data-testid="child-card">
              <div className="child-card__text">
                <strong>{c.name}</strong>
                {base.catch_all === c.id ? <span className="badge">catch-all</span> : null}
                <code className="child-card__query">
                  {c.query === "" ? "(every track)" : c.query}
                </code>
                <span className="muted small">
                  {MIRROR_MODE_LABELS[c.mirror].short}
                  {c.allow_empty ? " · may be emptied" : ""}
                </span>
                <ServiceLink
                  page={c.page}
                  what={{ kind: "child", child: c.id }}
                  name={c.name}
                  api={api}
                />
              </div>
              <div className="actions">
                {ordered ? (
                  <>
                    <button
                      type="button"
                      className="button button--small"
                      aria-label={`Move ${c.name} up`}
                      disabled={locked || i === 0}
                      onClick={() => move(i, -1)}
                    >
                      ↑
                    </button>
                    <button
                      type="button"
                      className="button button--small"
                      aria-label={`Move ${c.name} down`}
                      disabled={locked || i === base.children.length - 1}
                      onClick={() => move(i, 1)}
                    >
                      ↓
                    </button>
                  </>
                ) : null}
                <button
                  type="button"
                  className="button button--small"
                  aria-label={`Edit ${c.name}`}
                  disabled={locked}
                  title={lockReason}
                  onClick={() => onEditChild(c)}
                >
                  Edit
                </button>
                <button
                  type="button"
                  className="button button--small button--danger"
                  aria-label={`Remove ${c.name}`}
                  disabled={locked}
                  title={lockReason}
                  onClick={() =>
                    void run(
                      () => api.removeChild(c.id),
                      () => `${c.name} is no longer managed (the playlist stays on the service).`,
                    )
                  }
                >
                  Remove
                </button>
              </div>
            </li>
          ))}
        </ol>
      )}
      <div className="actions">
        <button
          type="button"
          className="button"
          disabled={locked}
          title={lockReason}
          onClick={() => onEditChild(null)}
        >
          Add a child
        </button>
        <button
          type="button"
          className="button button--link"
          disabled={locked}
          title={lockReason}
          onClick={() =>
            void run(
              () => api.removeBase(base.id),
              () => "Base removed (its playlists stay on the service).",
            )
          }
        >
          Stop using this base
        </button>
      </div>
      {preview === null ? null : <PreviewPanel preview={preview} />}
    </article>
  );
}
