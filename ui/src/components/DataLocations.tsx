import { useEffect, useState } from "react";
import { type AppInfo, type AppInfoResult, loadAppInfo } from "../api/appInfo";
import { WarningIcon } from "./icons";

type DataLocationsProps = { load?: (() => Promise<AppInfoResult>) | undefined };

type State = { kind: "loading" } | AppInfoResult;

export function DataLocations({ load = loadAppInfo }: DataLocationsProps) {
  const [state, setState] = useState<State>({ kind: "loading" });

  useEffect(() => {
    // Leaving the page before the answer arrives must not update an unmounted component.
    let current = true;
    load().then((result) => {
      if (current) {
        setState(result);
      }
    });
    return () => {
      current = false;
    };
  }, [load]);

  return (
    <section
      className="card"
      aria-labelledby="data-locations-title"
      aria-busy={state.kind === "loading"}
    >
      <h2 id="data-locations-title" className="card__title">
        Where your data lives
      </h2>
      <p className="card__intro muted">
        Syncer keeps ids, checksums, timestamps and your settings on this computer, never a copy of
        your music. Sign-ins stay in your system's keyring.
      </p>
      <DataLocationsBody state={state} />
    </section>
  );
}

function DataLocationsBody({ state }: { state: State }) {
  switch (state.kind) {
    case "loading":
      return <p className="muted">Looking up this installation's folders…</p>;
    case "unavailable":
      return (
        <p className="notice" data-testid="app-info-unavailable">
          These folders are shown when Syncer runs as the desktop app. This preview has no local
          data.
        </p>
      );
    case "error":
      return (
        <div className="notice notice--warning" role="alert">
          <WarningIcon size={16} />
          <p>
            Syncer could not tell where it keeps its data: {state.message} Restarting Syncer usually
            fixes this.
          </p>
        </div>
      );
    case "ok":
      return <AppInfoList info={state.info} />;
  }
}

function AppInfoList({ info }: { info: AppInfo }) {
  return (
    <>
      {info.databaseError === undefined ? null : (
        <div className="notice notice--warning" role="alert">
          <WarningIcon size={16} />
          <p>{info.databaseError}</p>
        </div>
      )}
      <dl className="facts" data-testid="app-info">
        <div className="facts__row">
          <dt>Data folder</dt>
          <dd className="path">{info.dataDir}</dd>
        </div>
        <div className="facts__row">
          <dt>Database</dt>
          <dd className="path">{info.databasePath}</dd>
        </div>
        <div className="facts__row">
          <dt>Logs</dt>
          <dd className="path">{info.logDir}</dd>
        </div>
        <div className="facts__row">
          <dt>Version</dt>
          <dd>{info.version}</dd>
        </div>
      </dl>
    </>
  );
}
