import { useEffect, useState } from "react";
import {
  type ConnectionsApi,
  defaultConnectionsApi,
  type Loadable,
  type ProviderInfo,
} from "../api/connections";
import { ClientIdForm } from "./ClientIdForm";
import { WarningIcon } from "./icons";
import { RedirectUris } from "./RedirectUris";
import { VaultNote } from "./VaultNote";

const SPOTIFY = "spotify";

type Loaded = { provider: ProviderInfo | null; clientId: string | null };

/** Spotify's Client ID (each user brings their own app), and what to register with it. */
export function SpotifySettings({
  api = defaultConnectionsApi,
}: {
  api?: ConnectionsApi | undefined;
}) {
  const [state, setState] = useState<Loadable<Loaded>>(() =>
    api.isAvailable() ? { kind: "loading" } : { kind: "unavailable" },
  );

  useEffect(() => {
    if (!api.isAvailable()) {
      return;
    }
    let current = true;
    Promise.all([api.listProviders(), api.getClientId(SPOTIFY)]).then(([providers, clientId]) => {
      if (!current) {
        return;
      }
      if (!clientId.ok) {
        setState({ kind: "error", message: clientId.message });
        return;
      }
      // The redirect URIs are a help, not a requirement: without them the field still works.
      const provider = providers.ok
        ? (providers.value.find((p) => p.name === SPOTIFY) ?? null)
        : null;
      setState({ kind: "ok", value: { provider, clientId: clientId.value } });
    });
    return () => {
      current = false;
    };
  }, [api]);

  const loaded = state.kind === "ok" ? state.value : null;

  return (
    <section
      className="card"
      aria-labelledby="spotify-settings-title"
      aria-busy={state.kind === "loading"}
    >
      <h2 id="spotify-settings-title" className="card__title">
        Spotify
      </h2>
      <p className="card__intro muted">
        Syncer signs in to Spotify through an app of your own: create one at
        developer.spotify.com/dashboard, register the redirect URIs below, and paste its Client ID
        here. There is no client secret to keep.
      </p>
      {state.kind === "unavailable" ? (
        <p className="notice" data-testid="spotify-settings-unavailable">
          The Client ID is saved by the Syncer desktop app. This preview cannot store it.
        </p>
      ) : null}
      {state.kind === "error" ? (
        <div className="notice notice--warning" role="alert">
          <WarningIcon size={16} />
          <p>Syncer could not read the saved Client ID: {state.message}</p>
        </div>
      ) : null}
      <ClientIdForm
        // Start again from the saved value once it has been read.
        key={state.kind === "ok" ? "loaded" : "pending"}
        api={api}
        provider={SPOTIFY}
        providerName="Spotify"
        initial={loaded?.clientId}
        inputTestId="settings-client-id"
        saveTestId="settings-client-id-save"
        disabled={state.kind === "unavailable" || state.kind === "loading"}
      />
      {loaded?.provider ? <RedirectUris provider={loaded.provider} /> : null}
      <VaultNote api={api} />
    </section>
  );
}
