import { type ReactNode, useCallback, useEffect, useReducer, useRef, useState } from "react";
import {
  type CallbackChannel,
  type ConnectionDetails,
  type ConnectionsApi,
  defaultConnectionsApi,
  type Loadable,
  type ProviderInfo,
  type Removed,
  toLoadable,
} from "../api/connections";
import { ConnectionCard } from "../components/ConnectionCard";
import { EmptyState } from "../components/EmptyState";
import { ConnectionsIcon, WarningIcon } from "../components/icons";
import { PageHeader } from "../components/PageHeader";
import { ProviderCard } from "../components/ProviderCard";
import { VaultNote } from "../components/VaultNote";
import { connectReducer, initialConnectFlow, msUntilExpiry } from "../connections/connectFlow";
import { DEFAULT_CHANNEL } from "../connections/health";
import { DemoOffer } from "../playlists/DemoOffer";
import { routeHref } from "../routes";

type ConnectionsPageProps = {
  /** Replaces the Tauri commands and events in tests and previews. */
  api?: ConnectionsApi | undefined;
};

/** Past the link's own expiry, so the shell's `connect-failed` (if it sends one) comes first. */
const EXPIRY_GRACE_MS = 5_000;

export function ConnectionsPage({ api = defaultConnectionsApi }: ConnectionsPageProps) {
  const initial = <T,>(): Loadable<T> =>
    api.isAvailable() ? { kind: "loading" } : { kind: "unavailable" };
  const [providers, setProviders] = useState<Loadable<ProviderInfo[]>>(initial);
  const [connections, setConnections] = useState<Loadable<ConnectionDetails[]>>(initial);
  const [clientIds, setClientIds] = useState<Record<string, string | null>>({});
  const [channels, setChannels] = useState<Record<string, CallbackChannel>>({});
  const [flow, dispatch] = useReducer(connectReducer, initialConnectFlow);
  const [listNotice, setListNotice] = useState<string | null>(null);

  // Answers that arrive after the page is left must not update it.
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const refresh = useCallback(async () => {
    if (!api.isAvailable()) {
      return;
    }
    const result = await api.listConnections();
    if (mounted.current) {
      setConnections(toLoadable(result));
    }
  }, [api]);

  // Providers, and the saved Client ID of each that signs in with OAuth.
  useEffect(() => {
    if (!api.isAvailable()) {
      return;
    }
    let current = true;
    api.listProviders().then(async (result) => {
      if (!current) {
        return;
      }
      setProviders(toLoadable(result));
      if (!result.ok) {
        return;
      }
      for (const provider of result.value) {
        if (provider.auth_kind !== "oauth2_pkce") {
          continue;
        }
        const saved = await api.getClientId(provider.name);
        if (!current) {
          return;
        }
        // A failed lookup reads as "none saved": the form to save one is the way forward.
        const clientId = saved.ok ? saved.value : null;
        setClientIds((ids) => ({ ...ids, [provider.name]: clientId }));
      }
    });
    return () => {
      current = false;
    };
  }, [api]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // Sign-ins end as events, whichever way they started (this page, a reconnect, a deep link).
  useEffect(() => {
    let active = true;
    const unlisteners: Array<() => void> = [];
    const keep = (subscribed: Promise<() => void>) => {
      subscribed.then((unlisten) => {
        if (active) {
          unlisteners.push(unlisten);
        } else {
          unlisten();
        }
      });
    };
    keep(
      api.onConnectionAdded((connection) => {
        if (active) {
          dispatch({ type: "added", connection });
          setListNotice(null);
          void refresh();
        }
      }),
    );
    keep(
      api.onConnectFailed((message) => {
        if (active) {
          dispatch({ type: "failed", message });
        }
      }),
    );
    return () => {
      active = false;
      for (const unlisten of unlisteners) {
        unlisten();
      }
    };
  }, [api, refresh]);

  // A link nobody used stops working; then the "finish signing in" panel would be a lie.
  const { pending } = flow;
  const waiting = pending?.phase === "waiting" ? pending : null;
  useEffect(() => {
    if (waiting === null) {
      return;
    }
    const timer = setTimeout(
      () => dispatch({ type: "expired", provider: waiting.provider }),
      msUntilExpiry(waiting.start, Date.now()) + EXPIRY_GRACE_MS,
    );
    return () => clearTimeout(timer);
  }, [waiting]);

  async function connect(provider: string, reconnectOf: string | null) {
    const channel = channels[provider] ?? DEFAULT_CHANNEL;
    dispatch({ type: "start", provider, channel, reconnectOf });
    setListNotice(null);
    const result = await api.startConnect(provider, channel);
    if (!mounted.current) {
      return;
    }
    dispatch(
      result.ok
        ? { type: "started", provider, start: result.value }
        : { type: "start_failed", provider, message: result.message },
    );
  }

  function removed(result: Removed, name: string) {
    const orphans = result.orphaned_bases.length;
    setListNotice(
      orphans === 0
        ? `Removed “${name}”.`
        : `Removed “${name}”. ${orphans} base playlist${orphans === 1 ? "" : "s"} no longer ${
            orphans === 1 ? "has" : "have"
          } a connection.`,
    );
    void refresh();
  }

  const busy = pending !== null;
  const list = connections.kind === "ok" ? connections.value : [];

  return (
    <>
      <PageHeader title="Connections">
        The music services Syncer reads your base playlists from and writes your child playlists to.
      </PageHeader>

      <div className="notices" aria-live="polite">
        {flow.notice === null ? null : (
          <p className="notice notice--ok" data-testid="connect-success">
            {flow.notice}
          </p>
        )}
        {listNotice === null ? null : (
          <p className="notice notice--ok" data-testid="connections-notice">
            {listNotice}
          </p>
        )}
      </div>
      {flow.error === null ? null : (
        <div className="notice notice--warning" role="alert" data-testid="connect-error">
          <WarningIcon size={16} />
          <p>{flow.error}</p>
          <button
            type="button"
            className="button button--link notice__dismiss"
            onClick={() => dispatch({ type: "dismiss" })}
          >
            Dismiss
          </button>
        </div>
      )}

      {connections.kind === "error" ? (
        <div className="notice notice--warning" role="alert" data-testid="connections-error">
          <WarningIcon size={16} />
          <p>Syncer could not list your connections: {connections.message}</p>
        </div>
      ) : null}

      {connections.kind === "loading" ? (
        <p className="muted">Looking up your connections…</p>
      ) : list.length === 0 ? (
        <EmptyState icon={<ConnectionsIcon size={28} />} title="No music services connected yet">
          <p>
            Each service you connect will be listed here, with whether its sign-in still works.
            Connect Spotify below to pick a base playlist from it, or try the demo library first: no
            account needed.
          </p>
          <p className="muted">
            Syncer signs in through your browser and keeps the sign-in in your system's keyring (or
            a file encrypted with your passphrase), never in plain text.
          </p>
          <DemoOffer
            compact
            onReady={() => {
              window.location.hash = routeHref("playlists");
            }}
          />
        </EmptyState>
      ) : (
        <section className="section" aria-labelledby="connections-list-title">
          <h2 id="connections-list-title" className="section__title">
            Your connections
          </h2>
          <ul className="card-list">
            {list.map((details) => {
              const { id, provider } = details.connection;
              const mine = pending !== null && pending.reconnectOf === id ? pending : null;
              return (
                <li key={id}>
                  <ConnectionCard
                    api={api}
                    details={details}
                    pending={mine}
                    busy={busy}
                    onReconnect={() => void connect(provider, id)}
                    onCancelReconnect={() => dispatch({ type: "cancel" })}
                    onChanged={() => void refresh()}
                    onRemoved={removed}
                  />
                </li>
              );
            })}
          </ul>
        </section>
      )}

      <section className="section" aria-labelledby="add-connection-title">
        <h2 id="add-connection-title" className="section__title">
          Add a connection
        </h2>
        {/* First: with no keyring, the passphrase form comes before any sign-in. */}
        <VaultNote api={api} onUnlocked={() => void refresh()} />
        <ProvidersBody
          providers={providers}
          render={(provider) => (
            <ProviderCard
              key={provider.name}
              api={api}
              provider={provider}
              clientId={clientIds[provider.name]}
              channel={channels[provider.name] ?? DEFAULT_CHANNEL}
              onChannel={(channel) => setChannels((all) => ({ ...all, [provider.name]: channel }))}
              pending={
                pending !== null &&
                pending.provider === provider.name &&
                pending.reconnectOf === null
                  ? pending
                  : null
              }
              busy={busy}
              onConnect={() => void connect(provider.name, null)}
              onCancel={() => dispatch({ type: "cancel" })}
              onClientIdSaved={(clientId) =>
                setClientIds((ids) => ({ ...ids, [provider.name]: clientId }))
              }
            />
          )}
        />
        <DemoCard
          api={api}
          onAdded={(name) => {
            setListNotice(
              `${name} is connected. Next: pick its playlist as a base on the Playlists page.`,
            );
            void refresh();
          }}
        />
      </section>
    </>
  );
}

function ProvidersBody({
  providers,
  render,
}: {
  providers: Loadable<ProviderInfo[]>;
  render: (provider: ProviderInfo) => ReactNode;
}) {
  switch (providers.kind) {
    case "loading":
      return <p className="muted">Looking up the services Syncer supports…</p>;
    case "unavailable":
      return (
        <p className="notice" data-testid="connections-unavailable">
          Services are connected from the Syncer desktop app. This preview cannot sign in.
        </p>
      );
    case "error":
      return (
        <div className="notice notice--warning" role="alert">
          <WarningIcon size={16} />
          <p>Syncer could not list the services it supports: {providers.message}</p>
        </div>
      );
    case "ok":
      return providers.value.length === 0 ? (
        <p className="muted">This build of Syncer supports no services.</p>
      ) : (
        <div className="card-list">{providers.value.map(render)}</div>
      );
  }
}

/** The demo library as a connection: a stand-in for Spotify, to try Syncer without an account. */
function DemoCard({ api, onAdded }: { api: ConnectionsApi; onAdded: (name: string) => void }) {
  const [state, setState] = useState<"idle" | "busy" | { error: string }>("idle");
  return (
    <article className="card" aria-labelledby="demo-card-title" data-testid="demo-card">
      <h3 id="demo-card-title" className="card__title">
        Demo library
      </h3>
      <p className="card__intro">
        A stand-in for Spotify on this computer with 600 generated tracks in a big playlist: try
        bases, filters and syncs without an account. Nothing leaves your machine.
      </p>
      {typeof state === "object" ? (
        <p className="feedback feedback--error" role="alert">
          {state.error}
        </p>
      ) : null}
      <button
        type="button"
        className="button"
        disabled={state === "busy" || !api.isAvailable()}
        onClick={() => {
          setState("busy");
          void api.connectDemo().then((r) => {
            if (r.ok) {
              setState("idle");
              onAdded(r.value.display_name);
            } else {
              setState({ error: r.message });
            }
          });
        }}
      >
        {state === "busy" ? "Connecting…" : "Connect the demo library"}
      </button>
    </article>
  );
}
