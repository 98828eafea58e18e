import { useId, useState } from "react";
import type { CallbackChannel, ConnectionsApi, ProviderInfo } from "../api/connections";
import type { PendingConnect } from "../connections/connectFlow";
import { CHANNEL_LABELS } from "../connections/health";
import { ClientIdForm } from "./ClientIdForm";
import { PendingSignIn } from "./PendingSignIn";
import { RedirectUris } from "./RedirectUris";

type ProviderCardProps = {
  api: ConnectionsApi;
  provider: ProviderInfo;
  /** undefined while it is being looked up; null when none is saved. */
  clientId: string | null | undefined;
  channel: CallbackChannel;
  onChannel: (channel: CallbackChannel) => void;
  /** A new sign-in with this provider, if one is under way. */
  pending: PendingConnect | null;
  /** Another sign-in is under way (one at a time). */
  busy: boolean;
  onConnect: () => void;
  onCancel: () => void;
  onClientIdSaved: (clientId: string) => void;
};

const CHANNELS: readonly CallbackChannel[] = ["loopback", "deep_link"];

export function ProviderCard(props: ProviderCardProps) {
  const { provider, clientId, pending, busy } = props;
  const titleId = useId();
  const oauth = provider.auth_kind === "oauth2_pkce";
  const canConnect = oauth && typeof clientId === "string" && !busy;

  return (
    <article
      className="card provider-card"
      data-testid={`provider-${provider.name}`}
      aria-labelledby={titleId}
    >
      <div className="provider-card__head">
        <h3 id={titleId} className="provider-card__title">
          {provider.display_name}
        </h3>
        <span className="badge">{provider.category === "music" ? "Music" : "Metadata"}</span>
      </div>
      {oauth ? (
        <ClientIdSection {...props} />
      ) : (
        <p className="muted">
          {sentence(provider.credential_help)} Adding it from this window is not available yet.
        </p>
      )}
      {oauth ? <ChannelChoice {...props} disabled={busy} /> : null}
      {oauth ? (
        <div className="actions">
          <button
            type="button"
            className="button button--primary"
            data-testid={`connect-${provider.name}`}
            disabled={!canConnect}
            onClick={props.onConnect}
          >
            Connect {provider.display_name}
          </button>
          {clientId === null ? <span className="muted small">Save a Client ID first.</span> : null}
        </div>
      ) : null}
      <div className="live" aria-live="polite">
        {pending === null ? null : (
          <PendingSignIn
            api={props.api}
            pending={pending}
            providerName={provider.display_name}
            onCancel={props.onCancel}
          />
        )}
      </div>
    </article>
  );
}

function ClientIdSection({ api, provider, clientId, onClientIdSaved }: ProviderCardProps) {
  const [changing, setChanging] = useState(false);

  if (clientId === undefined) {
    return <p className="muted">Checking for a saved Client ID…</p>;
  }
  if (clientId === null || changing) {
    return (
      <>
        <p className="muted">{sentence(provider.credential_help)}</p>
        <ClientIdForm
          api={api}
          provider={provider.name}
          providerName={provider.display_name}
          initial={clientId}
          inputTestId="client-id-input"
          saveTestId="client-id-save"
          onSaved={(saved) => {
            setChanging(false);
            onClientIdSaved(saved);
          }}
          onCancel={clientId === null ? undefined : () => setChanging(false)}
        />
        <RedirectUris provider={provider} />
      </>
    );
  }
  return (
    <>
      <p className="client-id-saved">
        <span className="muted">Client ID</span>{" "}
        <span className="path" data-testid="client-id-saved">
          {clientId}
        </span>{" "}
        <button type="button" className="button button--link" onClick={() => setChanging(true)}>
          Change
        </button>
      </p>
      <details className="disclosure">
        <summary>Redirect URIs to register</summary>
        <RedirectUris provider={provider} />
      </details>
    </>
  );
}

function ChannelChoice({
  provider,
  channel,
  onChannel,
  disabled,
}: ProviderCardProps & { disabled: boolean }) {
  return (
    <fieldset className="radio-group" disabled={disabled}>
      <legend>How the browser returns to Syncer</legend>
      {CHANNELS.map((option) => (
        <label key={option} className="radio">
          <input
            type="radio"
            name={`channel-${provider.name}`}
            value={option}
            checked={channel === option}
            onChange={() => onChannel(option)}
            data-testid={`channel-${option}`}
          />
          <span>{CHANNEL_LABELS[option]}</span>
        </label>
      ))}
    </fieldset>
  );
}

/** The registry's help is a clause without a full stop; shown as a sentence. */
function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
