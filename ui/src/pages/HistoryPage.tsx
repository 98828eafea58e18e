import { type ReactNode, useCallback, useEffect, useId, useRef, useState } from "react";
import { type Loadable, toLoadable } from "../api/connections";
import { isSyncStatus, SYNC_STATUSES } from "../api/enums";
import {
  defaultSyncApi,
  type HistoryEntry,
  type SyncApi,
  type SyncProgressEvent,
  type SyncStatus,
} from "../api/sync";
import { EmptyState } from "../components/EmptyState";
import { HistoryIcon, WarningIcon } from "../components/icons";
import { PageHeader } from "../components/PageHeader";
import { statusLook } from "../labels";
import {
  absoluteTime,
  entryDurationMs,
  formatDuration,
  formatPercent,
  isoTime,
  relativeTime,
} from "../sync/format";
import { SyncProgressBar } from "../sync/SyncProgressBar";
import "./history.css";

type HistoryPageProps = {
  /** Replaces the Tauri commands and events in tests and previews. */
  api?: SyncApi | undefined;
  /** The clock relative times count from; tests fix it. */
  now?: (() => number) | undefined;
  /** How many syncs to ask for at a time; tests keep it small. */
  pageSize?: number | undefined;
};

/** The status filter: one status, or `null` for every one (as `list_history` takes it). */
type StatusFilter = SyncStatus | null;

/** How many syncs a page of the history holds; "Show more" asks for another. */
export const HISTORY_PAGE_SIZE = 100;
/** The most the shell answers at once (src-tauri/history.rs). */
const HISTORY_MAX = 1_000;

/** The status select's value for "every status" (a select's values are strings). */
const ALL_STATUSES = "all";

/** Syncs that ended without doing all their work can be run again. */
const RETRYABLE: Record<SyncStatus, boolean> = {
  completed: false,
  failed: true,
  cancelled: true,
  in_progress: false,
};

function canRetry(entry: HistoryEntry): boolean {
  // An interrupted sync that a later run completed needs nothing more.
  return RETRYABLE[entry.status] && entry.completed_by === null;
}

function isRunning(entry: HistoryEntry): boolean {
  return entry.status === "in_progress";
}

export function HistoryPage({
  api = defaultSyncApi,
  now = Date.now,
  pageSize = HISTORY_PAGE_SIZE,
}: HistoryPageProps) {
  const [entries, setEntries] = useState<Loadable<HistoryEntry[]>>(() =>
    api.isAvailable() ? { kind: "loading" } : { kind: "unavailable" },
  );
  const [base, setBase] = useState("");
  const [status, setStatus] = useState<StatusFilter>(null);
  const [limit, setLimit] = useState(pageSize);
  const [loading, setLoading] = useState(false);
  // Every base seen in an answer, so filtering by one keeps the others in the list.
  const [bases, setBases] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [retrying, setRetrying] = useState<string | null>(null);
  // The latest progress of each base that is syncing now, from the shell's events.
  const [progress, setProgress] = useState<Record<string, SyncProgressEvent>>({});
  const [, setTick] = useState(0);

  // Answers that arrive after the page is left, or after a newer request, must not show.
  const mounted = useRef(true);
  const request = useRef(0);
  // The base a retry started, so its end can be announced.
  const retried = useRef<string | null>(null);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const load = useCallback(async () => {
    if (!api.isAvailable()) {
      return;
    }
    const ticket = ++request.current;
    setLoading(true);
    const result = await api.listHistory(base, status, limit);
    if (!mounted.current || ticket !== request.current) {
      return;
    }
    setLoading(false);
    setEntries(toLoadable(result));
    if (result.ok) {
      setBases((known) => {
        const next = { ...known };
        for (const entry of result.value) {
          next[entry.base] = entry.base_name;
        }
        return next;
      });
    }
  }, [api, base, status, limit]);

  useEffect(() => {
    void load();
  }, [load]);

  // A sync that ends (started anywhere: here, Playlists, the tray, a schedule) is news here.
  const latestLoad = useRef(load);
  useEffect(() => {
    latestLoad.current = load;
  }, [load]);
  useEffect(() => {
    let active = true;
    let unlisten: (() => void) | null = null;
    api
      .onSyncFinished((summary) => {
        if (!active) {
          return;
        }
        if (retried.current === summary.base) {
          retried.current = null;
          setNotice(`“${summary.base_name}”: ${summary.headline}`);
        }
        setProgress((all) => {
          const { [summary.base]: _done, ...rest } = all;
          return rest;
        });
        void latestLoad.current();
      })
      .then((stop) => {
        if (active) {
          unlisten = stop;
        } else {
          stop();
        }
      });
    return () => {
      active = false;
      unlisten?.();
    };
  }, [api]);

  // A sync that starts (anywhere) appears as running, with its progress as it goes.
  useEffect(() => {
    let running: string[] = [];
    // The shell may announce a start before the engine writes its history entry: the first
    // progress of a base reads the history again, so the running entry shows.
    const seen = new Set<string>();
    const unlisten: Array<Promise<() => void>> = [
      api.onSyncProgress((p) => {
        setProgress((all) => ({ ...all, [p.base]: p }));
        if (!seen.has(p.base)) {
          seen.add(p.base);
          void latestLoad.current();
        }
      }),
      api.onSyncStatus((status) => {
        const started = status.running.some((base) => !running.includes(base));
        for (const base of running) {
          if (!status.running.includes(base)) {
            seen.delete(base);
          }
        }
        running = status.running;
        if (started) {
          void latestLoad.current();
        }
      }),
    ];
    return () => {
      for (const u of unlisten) {
        void u.then((stop) => stop());
      }
    };
  }, [api]);

  // "5 minutes ago" must not stay that way for an hour.
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), 60_000);
    return () => clearInterval(timer);
  }, []);

  async function retry(entry: HistoryEntry) {
    setRetrying(entry.id);
    setNotice(null);
    setProblem(null);
    const result = await api.retrySync(entry.id);
    if (!mounted.current) {
      return;
    }
    setRetrying(null);
    if (result.ok) {
      retried.current = entry.base;
      setNotice(`Syncing “${entry.base_name}” again. Its result will be listed here.`);
      void load();
    } else if (result.code === "sync_in_progress") {
      setNotice(`“${entry.base_name}” is already syncing. Its result will be listed here.`);
    } else {
      setProblem(`Syncer could not retry the sync of “${entry.base_name}”: ${result.message}`);
    }
  }

  function clearFilters() {
    setBase("");
    setStatus(null);
    setLimit(pageSize);
  }

  const filtered = base !== "" || status !== null;
  const list = entries.kind === "ok" ? entries.value : [];
  const showFilters = entries.kind === "ok" && (list.length > 0 || filtered);
  const nowMs = now();

  return (
    <>
      <PageHeader title="History">
        Every sync, whether you started it, a schedule did, or the base playlist changed.
      </PageHeader>

      <div className="notices" aria-live="polite">
        {notice === null ? null : (
          <p className="notice notice--ok" data-testid="history-notice">
            {notice}
          </p>
        )}
      </div>
      {problem === null ? null : (
        <div className="notice notice--warning" role="alert" data-testid="history-problem">
          <WarningIcon size={16} />
          <p>{problem}</p>
          <button
            type="button"
            className="button button--link notice__dismiss"
            onClick={() => setProblem(null)}
          >
            Dismiss
          </button>
        </div>
      )}

      {showFilters ? (
        <fieldset className="history-filters" aria-busy={loading}>
          <legend className="visually-hidden">Filter the history</legend>
          <div className="field">
            <label htmlFor="history-base">Base playlist</label>
            <select
              id="history-base"
              className="sync-select"
              value={base}
              onChange={(event) => {
                setBase(event.target.value);
                setLimit(pageSize);
              }}
            >
              <option value="">All base playlists</option>
              {Object.entries(bases)
                .sort(([, a], [, b]) => a.localeCompare(b))
                .map(([id, name]) => (
                  <option key={id} value={id}>
                    {name}
                  </option>
                ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="history-status">Status</label>
            <select
              id="history-status"
              className="sync-select"
              value={status ?? ALL_STATUSES}
              onChange={(event) => {
                const value = event.target.value;
                setStatus(isSyncStatus(value) ? value : null);
                setLimit(pageSize);
              }}
            >
              <option value={ALL_STATUSES}>All statuses</option>
              {SYNC_STATUSES.map((value) => (
                <option key={value} value={value}>
                  {statusLook(value).label}
                </option>
              ))}
            </select>
          </div>
        </fieldset>
      ) : null}

      <HistoryBody
        entries={entries}
        filtered={filtered}
        onRetryLoad={() => void load()}
        onClearFilters={clearFilters}
      >
        <ol className="history-list" aria-label="Syncs, newest first" data-testid="history-list">
          {list.map((entry) => (
            <li key={entry.id}>
              <HistoryItem
                entry={entry}
                nowMs={nowMs}
                retrying={retrying === entry.id}
                progress={isRunning(entry) ? progress[entry.base] : undefined}
                onRetry={canRetry(entry) ? () => void retry(entry) : null}
              />
            </li>
          ))}
        </ol>
        {list.length >= limit && limit < HISTORY_MAX ? (
          <div className="actions">
            <button
              type="button"
              className="button"
              disabled={loading}
              onClick={() => setLimit((l) => Math.min(HISTORY_MAX, l + pageSize))}
            >
              Show older syncs
            </button>
          </div>
        ) : null}
      </HistoryBody>
    </>
  );
}

function NoSyncsYet({ hint }: { hint?: string | undefined }) {
  return (
    <EmptyState icon={<HistoryIcon size={28} />} title="No syncs yet" hint={hint}>
      <p>
        Sync events will be listed here with their stats: tracks added to and removed from each
        child, items skipped and why, requests made, and how long each sync took.
      </p>
      <p className="muted">If a sync stops part-way, you'll see which children it reached.</p>
    </EmptyState>
  );
}

function HistoryBody({
  entries,
  filtered,
  onRetryLoad,
  onClearFilters,
  children,
}: {
  entries: Loadable<HistoryEntry[]>;
  filtered: boolean;
  onRetryLoad: () => void;
  onClearFilters: () => void;
  children: ReactNode;
}) {
  switch (entries.kind) {
    case "unavailable":
      return (
        <NoSyncsYet hint="The history is kept by the Syncer desktop app; this preview has none." />
      );
    case "loading":
      return <p className="muted">Reading the history…</p>;
    case "error":
      return (
        <div className="notice notice--warning" role="alert" data-testid="history-error">
          <WarningIcon size={16} />
          <p>Syncer could not read the history: {entries.message}</p>
          <button type="button" className="button button--small" onClick={onRetryLoad}>
            Try again
          </button>
        </div>
      );
    case "ok":
      if (entries.value.length > 0) {
        return <>{children}</>;
      }
      return filtered ? (
        <div className="notice" data-testid="history-no-match">
          <p>No syncs match these filters.</p>
          <button type="button" className="button button--small" onClick={onClearFilters}>
            Show all syncs
          </button>
        </div>
      ) : (
        <NoSyncsYet />
      );
  }
}

function StatusBadge({ status }: { status: SyncStatus }) {
  const look = statusLook(status);
  return (
    <span className={`sync-status sync-status--${look.tone}`} data-testid="sync-status">
      <span aria-hidden="true">{look.glyph}</span>
      <span>{look.label}</span>
    </span>
  );
}

function HistoryItem({
  entry,
  nowMs,
  retrying,
  progress,
  onRetry,
}: {
  entry: HistoryEntry;
  nowMs: number;
  retrying: boolean;
  /** Its latest progress, while it runs. */
  progress: SyncProgressEvent | undefined;
  onRetry: (() => void) | null;
}) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const titleId = `${id}-title`;
  const childrenId = `${id}-children`;
  const { summary } = entry;
  const children = summary?.children ?? [];
  const error = entry.error ?? summary?.error ?? null;
  const running = isRunning(entry);
  const duration = running ? null : entryDurationMs(entry);

  return (
    <article className="history-entry" aria-labelledby={titleId} data-testid="history-entry">
      <div className="history-entry__head">
        <h2 id={titleId} className="history-entry__title">
          {entry.base_name}
        </h2>
        <StatusBadge status={entry.status} />
        {entry.undo_of ? <span className="badge">Undo of sync {entry.undo_of}</span> : null}
        {entry.undone ? <span className="badge">Undone</span> : null}
        {entry.completed_by ? (
          <span className="badge">Completed by sync {entry.completed_by}</span>
        ) : null}
        <time
          className="history-entry__time"
          dateTime={isoTime(entry.started_at)}
          title={absoluteTime(entry.started_at)}
        >
          {relativeTime(entry.started_at, nowMs)}
          <span className="history-entry__local" data-testid="history-local-time">
            {entry.started_local}
          </span>
        </time>
      </div>

      {running ? <SyncProgressBar name={entry.base_name} progress={progress} /> : null}

      <dl className="history-stats">
        <Stat
          label="Took"
          value={duration !== null ? formatDuration(duration) : running ? "still running" : "—"}
        />
        {summary === null || running ? null : (
          <>
            <Stat label="Added" value={String(summary.added)} />
            <Stat label="Removed" value={String(summary.removed)} />
            <Stat label="Requests" value={String(summary.requests)} />
            <Stat label="Cache hits" value={formatPercent(summary.cache_hit_rate)} />
          </>
        )}
      </dl>
      {summary?.unchanged ? (
        <p className="muted small">The base had not changed since the sync before.</p>
      ) : null}

      {entry.completes.length > 0 ? <CompletedRuns entry={entry} /> : null}

      {error === null ? null : (
        <p className="history-entry__error">
          <WarningIcon size={14} />
          <span>
            <strong>Error:</strong> {error}
          </span>
        </p>
      )}

      {children.length > 0 || onRetry !== null ? (
        <div className="actions">
          {children.length > 0 ? (
            <button
              type="button"
              className="button button--small"
              aria-expanded={open}
              aria-controls={childrenId}
              onClick={() => setOpen((o) => !o)}
            >
              {open ? "Hide" : "Show"} {children.length}{" "}
              {children.length === 1 ? "child" : "children"}
            </button>
          ) : null}
          {onRetry === null ? null : (
            <button
              type="button"
              className="button button--small"
              onClick={onRetry}
              disabled={retrying}
              aria-label={`Retry the sync of ${entry.base_name}`}
            >
              {retrying ? "Retrying…" : "Retry"}
            </button>
          )}
        </div>
      ) : null}

      {children.length > 0 ? (
        <div className="table-scroll" id={childrenId} hidden={!open}>
          <table className="history-children">
            <caption className="visually-hidden">
              What this sync of {entry.base_name} did to each child
            </caption>
            <thead>
              <tr>
                <th scope="col">Child</th>
                <th scope="col" className="num">
                  Added
                </th>
                <th scope="col" className="num">
                  Removed
                </th>
                <th scope="col" className="num">
                  Your tracks kept
                </th>
                <th scope="col">Notes</th>
              </tr>
            </thead>
            <tbody>
              {children.map((child) => (
                <tr key={child.id}>
                  <th scope="row">{child.name}</th>
                  <td className="num">{child.added}</td>
                  <td className="num">{child.removed}</td>
                  <td className="num">{child.kept_user_tracks}</td>
                  <td>
                    {child.error === null ? null : (
                      <span className="history-children__error">Error: {child.error}</span>
                    )}
                    {child.error !== null && child.note !== null ? " " : null}
                    {child.note === null ? null : <span className="muted">{child.note}</span>}
                    {child.error === null && child.note === null ? (
                      <span className="muted">
                        <span aria-hidden="true">—</span>
                        <span className="visually-hidden">None</span>
                      </span>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </article>
  );
}

/** The interrupted syncs a run completed: one run to the user, so listed inside it. */
function CompletedRuns({ entry }: { entry: HistoryEntry }) {
  const count = entry.completes.length;
  return (
    <div className="history-completes" data-testid="history-completes">
      <p className="small">
        This sync completed {count === 1 ? "an interrupted sync" : `${count} interrupted syncs`} of{" "}
        {entry.base_name}; they count as one run (an undo undoes them together).
      </p>
      <ul aria-label={`Interrupted syncs completed by sync ${entry.id}`}>
        {entry.completes.map((part) => (
          <li key={part.id} data-testid="history-completed-part">
            <span>Sync {part.id}</span> <StatusBadge status={part.status} />{" "}
            <span className="muted">started {part.started_local}</span>
            {part.summary === null ? null : (
              <span className="muted">
                {" "}
                · {part.summary.added} added, {part.summary.removed} removed before it stopped
              </span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}
