import { useEffect, useId, useRef, useState } from "react";
import type { SyncApi } from "../api/sync";
import { CopyText } from "../components/CopyText";
import { WarningIcon } from "../components/icons";

/** What the user must type before everything is deleted; the shell checks it too. */
export const DELETE_WORD = "delete";

type Busy = "export" | "logs" | "delete" | null;

type YourDataProps = {
  api: SyncApi;
  /** Whether the desktop app is there to do any of this. */
  available: boolean;
  /** After everything was deleted, so the page can read its settings again. */
  onDeleted: () => void;
};

/** Export all local data, delete it all, or open the log folder. */
export function YourData({ api, available, onDeleted }: YourDataProps) {
  const [busy, setBusy] = useState<Busy>(null);
  const [exported, setExported] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState("");
  const confirmInput = useRef<HTMLInputElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const reopenFocus = useRef(false);
  const id = useId();

  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  // Opening the confirmation moves the focus into it; closing it brings the focus back.
  useEffect(() => {
    if (confirming) {
      confirmInput.current?.focus();
    } else if (reopenFocus.current) {
      reopenFocus.current = false;
      deleteButton.current?.focus();
    }
  }, [confirming]);

  async function run<T>(
    what: Exclude<Busy, null>,
    action: () => Promise<{ ok: true; value: T } | { ok: false; message: string }>,
    failed: string,
  ): Promise<T | null> {
    setBusy(what);
    setProblem(null);
    setNotice(null);
    const result = await action();
    if (!mounted.current) {
      return null;
    }
    setBusy(null);
    if (!result.ok) {
      setProblem(`${failed}: ${result.message}`);
      return null;
    }
    return result.value;
  }

  async function exportAll() {
    setExported(null);
    const path = await run("export", api.exportData, "Syncer could not export your data");
    if (path !== null) {
      setExported(path);
    }
  }

  async function openLogs() {
    await run("logs", api.openLogFolder, "Syncer could not open the log folder");
  }

  async function deleteAll() {
    const done = await run(
      "delete",
      async () => {
        const result = await api.deleteAllData(typed.trim());
        return result.ok ? { ok: true as const, value: true } : result;
      },
      "Nothing was deleted",
    );
    if (done === true) {
      setConfirming(false);
      setTyped("");
      setExported(null);
      setNotice(
        "Everything Syncer kept on this computer was deleted. Your playlists on the music services are as they were.",
      );
      onDeleted();
    }
  }

  function cancel() {
    reopenFocus.current = true;
    setConfirming(false);
    setTyped("");
  }

  const confirmed = typed.trim() === DELETE_WORD;

  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="your-data">
      <h2 id={`${id}-title`} className="card__title">
        Your data
      </h2>
      <p className="card__intro muted">
        Everything Syncer keeps is on this computer. Export it to keep a copy or to read it, or
        delete it to start over.
      </p>

      <div className="actions">
        <button
          type="button"
          className="button"
          disabled={!available || busy !== null}
          onClick={() => void exportAll()}
        >
          {busy === "export" ? "Exporting…" : "Export all data"}
        </button>
        <button
          type="button"
          className="button"
          disabled={!available || busy !== null}
          onClick={() => void openLogs()}
        >
          Open log folder
        </button>
        <button
          ref={deleteButton}
          type="button"
          className="button button--danger"
          disabled={!available || busy !== null || confirming}
          aria-expanded={confirming}
          onClick={() => {
            setNotice(null);
            setProblem(null);
            setConfirming(true);
          }}
        >
          Delete all data…
        </button>
      </div>

      <div className="live" aria-live="polite">
        {exported === null ? null : (
          <div className="setting-result" data-testid="export-result">
            <p>Exported (without sign-ins) to:</p>
            <CopyText value={exported} label="the export's path" testId="export-path" />
          </div>
        )}
        {notice === null ? null : (
          <p className="notice notice--ok" data-testid="delete-done">
            {notice}
          </p>
        )}
      </div>

      {problem === null ? null : (
        <div className="notice notice--warning" role="alert" data-testid="your-data-problem">
          <WarningIcon size={16} />
          <p>{problem}</p>
        </div>
      )}

      {confirming ? (
        <form
          className="confirm"
          aria-labelledby={`${id}-confirm-title`}
          onSubmit={(event) => {
            event.preventDefault();
            if (confirmed && busy === null) {
              void deleteAll();
            }
          }}
        >
          <p id={`${id}-confirm-title`} className="pending__title">
            Delete all of Syncer's data on this computer?
          </p>
          <p className="small">
            This removes every connection and its sign-in, every base and child playlist setting,
            the schedules, the history and the caches. Your playlists on Spotify and other services
            stay as they are. It cannot be undone: export your data first to keep a copy.
          </p>
          <div className="field">
            <label htmlFor={`${id}-word`}>Type “{DELETE_WORD}” to confirm</label>
            <div className="field__row">
              <input
                ref={confirmInput}
                id={`${id}-word`}
                className="input"
                value={typed}
                autoComplete="off"
                spellCheck={false}
                onChange={(event) => setTyped(event.target.value)}
                onKeyDown={(event) => {
                  if (event.key === "Escape") {
                    cancel();
                  }
                }}
              />
            </div>
          </div>
          <div className="actions">
            <button
              type="submit"
              className="button button--danger"
              disabled={!confirmed || busy !== null}
            >
              {busy === "delete" ? "Deleting…" : "Delete everything"}
            </button>
            <button type="button" className="button" onClick={cancel} disabled={busy !== null}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
