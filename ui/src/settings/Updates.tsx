import { useCallback, useEffect, useRef, useState } from "react";
import { defaultUpdatesApi, type UpdatesApi, type UpdateView } from "../api/updates";
import { WarningIcon } from "../components/icons";

type Busy = "checking" | "installing" | null;
type Problem = string | null;

/** Settings' "Updates" card: the version, a check, and "Install and restart" when one is found. */
export function Updates({ api = defaultUpdatesApi }: { api?: UpdatesApi | undefined }) {
  const available = api.isAvailable();
  const [view, setView] = useState<UpdateView | null>(null);
  const [busy, setBusy] = useState<Busy>(null);
  const [problem, setProblem] = useState<Problem>(null);
  const mounted = useRef(true);
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
    const result = await api.status();
    if (mounted.current && result.ok) {
      setView(result.value);
    }
  }, [api]);

  useEffect(() => {
    void load();
  }, [load]);

  async function run(kind: Exclude<Busy, null>) {
    setBusy(kind);
    setProblem(null);
    const result = kind === "checking" ? await api.check() : await api.install();
    if (!mounted.current) {
      return;
    }
    setBusy(null);
    if (!result.ok) {
      setProblem(result.message);
      return;
    }
    setView(result.value);
  }

  return (
    <section className="card" aria-labelledby="updates-title" data-testid="settings-updates">
      <h2 id="updates-title" className="card__title">
        Updates
      </h2>
      <UpdatesBody available={available} view={view} />
      {view?.state === "refused" ? (
        <div className="notice notice--warning" role="alert" data-testid="update-problem">
          <WarningIcon size={16} />
          <p>{view.message}</p>
          <p className="small">
            Keep using this version. If this happens again, get Syncer from the place you first
            downloaded it.
          </p>
        </div>
      ) : null}
      {view !== null && view.state !== "not_configured" ? (
        <div className="setting-status">
          <button
            type="button"
            className="button button--small"
            disabled={busy !== null}
            onClick={() => void run("checking")}
            data-testid="update-check"
          >
            {busy === "checking" ? "Checking…" : "Check for updates"}
          </button>
          {view.state === "available" ? (
            <button
              type="button"
              className="button button--small button--primary"
              disabled={busy !== null}
              onClick={() => void run("installing")}
              data-testid="update-install"
            >
              {busy === "installing" ? "Installing…" : "Install and restart"}
            </button>
          ) : null}
        </div>
      ) : null}
      {problem === null ? null : (
        <div className="notice notice--warning" role="alert" data-testid="update-problem">
          <WarningIcon size={16} />
          <p>{problem}</p>
        </div>
      )}
    </section>
  );
}

function UpdatesBody({ available, view }: { available: boolean; view: UpdateView | null }) {
  if (!available) {
    return <p className="muted">The version and its updates are shown in the desktop app.</p>;
  }
  if (view === null) {
    return <p className="muted">Reading this build's version…</p>;
  }
  const version = (
    <p data-testid="update-version">
      This is Syncer <strong>{view.current_version}</strong>.
    </p>
  );
  switch (view.state) {
    case "not_configured":
      return (
        <>
          {version}
          <p className="muted" data-testid="update-status">
            Updates are not configured for this build: it was built without an update feed. Your
            package manager or the place you downloaded Syncer from brings new versions.
          </p>
        </>
      );
    case "unchecked":
      return (
        <>
          {version}
          <p className="muted" data-testid="update-status">
            Each update is checked against Syncer's signing key before it is installed.
          </p>
        </>
      );
    case "up_to_date":
      return (
        <>
          {version}
          <p data-testid="update-status">You have the latest version.</p>
        </>
      );
    case "refused":
      return (
        <>
          {version}
          <p data-testid="update-status">Syncer {view.version} was not installed.</p>
        </>
      );
    case "available":
      return (
        <>
          {version}
          <p data-testid="update-status">
            Syncer <strong>{view.version}</strong> is available
            {view.date === null ? "" : ` (${view.date.slice(0, 10)})`}.
          </p>
          {view.notes === null ? null : <p className="muted">{view.notes}</p>}
        </>
      );
  }
}
