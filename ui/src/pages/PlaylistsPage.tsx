import { useCallback, useEffect, useId, useState } from "react";
import { type CloudApi, defaultCloudApi } from "../api/cloud";
import type { ConnectionDetails } from "../api/connections";
import type { FiltersApi } from "../api/filters";
import {
  type BaseView,
  type ChildView,
  defaultLibraryApi,
  type LibraryApi,
  type PlaylistView,
} from "../api/library";
import { defaultSyncApi, type SyncApi } from "../api/sync";
import type { SyncProgressEvent } from "../bindings/SyncProgressEvent";
import type { SyncSummary } from "../bindings/SyncSummary";
import { BaseChildrenDiagram } from "../components/BaseChildrenDiagram";
import { EmptyState } from "../components/EmptyState";
import { PlaylistsIcon } from "../components/icons";
import { PageHeader } from "../components/PageHeader";
import { BaseCard } from "../playlists/BaseCard";
import { ChildEditor } from "../playlists/ChildEditor";
import { DemoOffer } from "../playlists/DemoOffer";
import "../playlists/playlists.css";

type PlaylistsPageProps = {
  api?: LibraryApi | undefined;
  syncApi?: SyncApi | undefined;
  filtersApi?: FiltersApi | undefined;
  /** Setup that arrives from another device (the cloud's live events) is shown at once. */
  cloudApi?: Pick<CloudApi, "onLive"> | undefined;
};

type Editing = { base: string; child: ChildView | null } | null;

export function PlaylistsPage({
  api = defaultLibraryApi,
  syncApi = defaultSyncApi,
  filtersApi,
  cloudApi = defaultCloudApi,
}: PlaylistsPageProps) {
  const [bases, setBases] = useState<BaseView[] | null>(null);
  const [connections, setConnections] = useState<ConnectionDetails[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Editing>(null);
  const [progress, setProgress] = useState<Record<string, SyncProgressEvent>>({});
  const [results, setResults] = useState<Record<string, SyncSummary>>({});

  const refresh = useCallback(async () => {
    const [b, c] = await Promise.all([api.listBases(), api.listConnections()]);
    if (b.ok) {
      setBases(b.value);
      setError(null);
    } else {
      setBases([]);
      setError(b.message);
    }
    if (c.ok) {
      setConnections(c.value);
    }
  }, [api]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // Live progress and results; a sync's start and end change what may be edited.
  useEffect(() => {
    const unlisten: Array<Promise<() => void>> = [
      syncApi.onSyncProgress((p) => setProgress((all) => ({ ...all, [p.base]: p }))),
      syncApi.onSyncFinished((s) => {
        setResults((all) => ({ ...all, [s.base]: s }));
        setProgress((all) => {
          const { [s.base]: _done, ...rest } = all;
          return rest;
        });
        void refresh();
      }),
      syncApi.onSyncStatus(() => void refresh()),
      cloudApi.onLive((event) => {
        if (event.changed) {
          void refresh();
        }
      }),
    ];
    return () => {
      for (const u of unlisten) {
        void u.then((stop) => stop());
      }
    };
  }, [syncApi, cloudApi, refresh]);

  const header = (
    <PageHeader title="Playlists">
      Your base playlists and the child playlists Syncer fills from them.
    </PageHeader>
  );

  if (bases === null) {
    return (
      <>
        {header}
        <p className="muted">Loading…</p>
      </>
    );
  }

  const editedBase = editing === null ? undefined : bases.find((b) => b.id === editing.base);

  return (
    <>
      {header}
      {error !== null && api.isAvailable() ? (
        <p className="notice notice--warning" role="alert">
          {error}
        </p>
      ) : null}
      {bases.length === 0 ? (
        <FirstBase api={api} connections={connections} onAdded={() => void refresh()} />
      ) : (
        <>
          <div className="actions page-actions">
            <button
              type="button"
              className="button"
              onClick={() => void syncApi.syncAll().then(() => refresh())}
            >
              Sync all
            </button>
          </div>
          {bases.map((b) => (
            <div key={b.id}>
              <BaseCard
                base={b}
                api={api}
                sync={syncApi}
                progress={progress[b.id]}
                lastResult={results[b.id]}
                onChanged={() => void refresh()}
                onEditChild={(child) => setEditing({ base: b.id, child })}
              />
              {editedBase !== undefined && editedBase.id === b.id ? (
                <ChildEditor
                  key={editing?.child?.id ?? "new"}
                  api={api}
                  filtersApi={filtersApi}
                  base={editedBase}
                  child={editing?.child ?? undefined}
                  onSaved={() => {
                    setEditing(null);
                    void refresh();
                  }}
                  onCancel={() => setEditing(null)}
                />
              ) : null}
            </div>
          ))}
          <AddBase api={api} connections={connections} onAdded={() => void refresh()} compact />
        </>
      )}
    </>
  );
}

type FirstBaseProps = {
  api: LibraryApi;
  connections: ConnectionDetails[];
  onAdded: () => void;
};

/** No base yet: the idea, the demo library, and picking a base from a connection. */
function FirstBase({ api, connections, onAdded }: FirstBaseProps) {
  return (
    <>
      <EmptyState
        icon={<PlaylistsIcon size={28} />}
        title="No base playlist yet"
        figure={<BaseChildrenDiagram />}
        hint={
          connections.length === 0
            ? "Connect a music service on the Connections page, or try the demo library below."
            : "Pick a base below."
        }
      >
        <p>
          A <strong>base</strong> is a big playlist you already have, like your liked songs.{" "}
          <strong>Children</strong> are smaller playlists described by rules, such as “indie rock
          from 2015 to 2020, no explicit tracks”. Syncer fills each child with the matching tracks
          from its base and keeps it in step as the base changes.
        </p>
      </EmptyState>
      <DemoOffer api={api} onReady={onAdded} />
      {connections.length > 0 ? (
        <AddBase api={api} connections={connections} onAdded={onAdded} />
      ) : null}
    </>
  );
}

type AddBaseProps = FirstBaseProps & { compact?: boolean };

/** Picks a connection's playlist as a new base. */
function AddBase({ api, connections, onAdded, compact = false }: AddBaseProps) {
  const ids = useId();
  const usable = connections.map((c) => c.connection).filter((c) => c.status === "ok");
  const [connection, setConnection] = useState(usable[0]?.id ?? "");
  const [playlists, setPlaylists] = useState<PlaylistView[] | null>(null);
  const [playlist, setPlaylist] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  const [open, setOpen] = useState(!compact);

  useEffect(() => {
    if (!open || connection === "") {
      return;
    }
    let live = true;
    setPlaylists(null);
    void api.listPlaylists(connection).then((r) => {
      if (!live) {
        return;
      }
      if (r.ok) {
        setPlaylists(r.value.filter((p) => !p.is_base && !p.is_child));
      } else {
        setPlaylists([]);
        setMessage(r.message);
      }
    });
    return () => {
      live = false;
    };
  }, [api, connection, open]);

  if (!open) {
    return (
      <div className="actions">
        <button type="button" className="button" onClick={() => setOpen(true)}>
          Add another base
        </button>
      </div>
    );
  }
  if (usable.length === 0) {
    return null;
  }
  return (
    <section className="card" aria-label="Add a base playlist">
      <h2 className="card__title">Pick a base playlist</h2>
      <div className="base-picker">
        <p className="field">
          <label htmlFor={`${ids}-conn`}>Connection</label>
          <select
            id={`${ids}-conn`}
            className="input"
            value={connection}
            onChange={(e) => setConnection(e.target.value)}
          >
            {usable.map((c) => (
              <option key={c.id} value={c.id}>
                {c.display_name}
              </option>
            ))}
          </select>
        </p>
        <p className="field">
          <label htmlFor={`${ids}-pl`}>Playlist</label>
          <select
            id={`${ids}-pl`}
            className="input"
            value={playlist}
            onChange={(e) => setPlaylist(e.target.value)}
          >
            <option value="">{playlists === null ? "Loading…" : "Choose a playlist"}</option>
            {(playlists ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
                {p.tracks === null ? "" : ` (${p.tracks} tracks)`}
              </option>
            ))}
          </select>
        </p>
      </div>
      {message === null ? null : (
        <p className="notice notice--warning" role="alert">
          {message}
        </p>
      )}
      <div className="actions">
        <button
          type="button"
          className="button button--primary"
          disabled={playlist === ""}
          onClick={() =>
            void api.addBase(connection, playlist).then((r) => {
              if (r.ok) {
                setPlaylist("");
                onAdded();
              } else {
                setMessage(r.message);
              }
            })
          }
        >
          Use as base
        </button>
        {compact ? (
          <button type="button" className="button" onClick={() => setOpen(false)}>
            Cancel
          </button>
        ) : null}
      </div>
    </section>
  );
}
