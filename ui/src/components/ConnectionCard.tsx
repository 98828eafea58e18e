import { type FormEvent, useEffect, useId, useState } from "react";
import {
  type CapabilitiesView,
  type ConnectionDetails,
  type ConnectionsApi,
  isInUseError,
  type Removed,
  type TestReport,
} from "../api/connections";
import type { PendingConnect } from "../connections/connectFlow";
import { needsReconnect, statusBadge } from "../connections/health";
import { PendingSignIn } from "./PendingSignIn";

type ConnectionCardProps = {
  api: ConnectionsApi;
  details: ConnectionDetails;
  /** A reconnect of this connection, if one is under way. */
  pending: PendingConnect | null;
  /** Another sign-in is under way (one at a time). */
  busy: boolean;
  onReconnect: () => void;
  onCancelReconnect: () => void;
  /** Renamed or removed: the page lists connections again. */
  onChanged: () => void;
  onRemoved: (removed: Removed, name: string) => void;
};

type TestState =
  | { kind: "idle" }
  | { kind: "testing" }
  | { kind: "ok"; report: TestReport }
  | { kind: "error"; message: string };

type RemoveState =
  | { kind: "idle" }
  | { kind: "confirm" }
  | { kind: "removing" }
  | { kind: "error"; message: string; inUse: boolean };

export function ConnectionCard(props: ConnectionCardProps) {
  const { api, details, pending, busy } = props;
  const { connection, health } = details;
  const titleId = useId();
  const badge = statusBadge(details);
  const [test, setTest] = useState<TestState>({ kind: "idle" });
  const [renaming, setRenaming] = useState(false);
  const [remove, setRemove] = useState<RemoveState>({ kind: "idle" });

  async function runTest() {
    setTest({ kind: "testing" });
    const result = await api.testConnection(connection.id);
    setTest(
      result.ok ? { kind: "ok", report: result.value } : { kind: "error", message: result.message },
    );
  }

  async function runRemove(force: boolean) {
    setRemove({ kind: "removing" });
    const result = await api.removeConnection(connection.id, force);
    if (result.ok) {
      setRemove({ kind: "idle" });
      props.onRemoved(result.value, connection.display_name);
      return;
    }
    setRemove({
      kind: "error",
      message: result.message,
      inUse: !force && isInUseError(result.message),
    });
  }

  return (
    <article
      className="card connection-card"
      data-testid="connection-card"
      aria-labelledby={titleId}
    >
      <div className="connection-card__head">
        <div className="connection-card__names">
          <h3 id={titleId} className="connection-card__title" data-testid="connection-name">
            {connection.display_name}
          </h3>
          <p className="muted small">
            {connection.provider_display_name}
            {connection.account_id === null ? null : (
              <>
                {" · account "}
                <span className="path" data-testid="connection-account">
                  {connection.account_id}
                </span>
              </>
            )}
          </p>
        </div>
        <span className={`badge badge--${badge.tone}`} data-testid="connection-status">
          {badge.label}
        </span>
      </div>
      <p className="muted" data-testid="connection-health">
        {health.message}
        {connection.status_detail !== null && connection.status_detail !== health.message
          ? ` ${connection.status_detail}`
          : null}
      </p>
      {health.sign_in_renew_by === null ? null : (
        <p
          className={health.sign_in_notice === null ? "muted small" : "notice notice--warning"}
          data-testid="connection-renewal"
        >
          {health.sign_in_notice ??
            `Sign-in renews by ${new Date(health.sign_in_renew_by * 1000).toLocaleDateString()}: reconnect before then to keep syncing (your setup stays).`}
        </p>
      )}

      {renaming ? (
        <RenameForm
          api={api}
          id={connection.id}
          current={connection.display_name}
          onDone={(changed) => {
            setRenaming(false);
            if (changed) {
              props.onChanged();
            }
          }}
        />
      ) : null}

      <div className="actions">
        {needsReconnect(details) ? (
          <button
            type="button"
            className="button button--primary"
            data-testid="connection-reconnect"
            disabled={busy}
            onClick={props.onReconnect}
          >
            Reconnect
          </button>
        ) : null}
        <button
          type="button"
          className="button"
          data-testid="connection-test"
          disabled={test.kind === "testing"}
          onClick={runTest}
          aria-label={`Test ${connection.display_name}`}
        >
          {test.kind === "testing" ? "Testing…" : "Test"}
        </button>
        <button
          type="button"
          className="button"
          data-testid="connection-rename"
          disabled={renaming}
          onClick={() => setRenaming(true)}
          aria-label={`Rename ${connection.display_name}`}
        >
          Rename
        </button>
        <button
          type="button"
          className="button button--danger"
          data-testid="connection-remove"
          disabled={remove.kind !== "idle" && remove.kind !== "error"}
          onClick={() => setRemove({ kind: "confirm" })}
          aria-label={`Remove ${connection.display_name}`}
        >
          Remove
        </button>
      </div>

      <CapabilitiesNote api={api} id={connection.id} version={test.kind === "ok" ? 1 : 0} />

      {test.kind === "ok" ? (
        <p className="feedback feedback--ok" role="status" data-testid="connection-test-result">
          Connected as {test.report.account_name} ({test.report.account_id}).
        </p>
      ) : null}
      {test.kind === "error" ? (
        <p className="feedback feedback--error" role="alert" data-testid="connection-test-error">
          The test failed: {test.message}
        </p>
      ) : null}

      {remove.kind === "confirm" || remove.kind === "removing" ? (
        <div className="confirm" data-testid="connection-remove-prompt">
          <p>
            Remove “{connection.display_name}”? Syncer forgets this sign-in. Your playlists on{" "}
            {connection.provider_display_name} stay as they are.
          </p>
          <div className="actions">
            <button
              type="button"
              className="button button--danger"
              data-testid="connection-remove-confirm"
              disabled={remove.kind === "removing"}
              onClick={() => runRemove(false)}
            >
              {remove.kind === "removing" ? "Removing…" : "Remove"}
            </button>
            <button type="button" className="button" onClick={() => setRemove({ kind: "idle" })}>
              Keep it
            </button>
          </div>
        </div>
      ) : null}
      {remove.kind === "error" ? (
        <div className="confirm">
          <p
            className="feedback feedback--error"
            role="alert"
            data-testid="connection-remove-error"
          >
            {remove.message}
          </p>
          <div className="actions">
            {remove.inUse ? (
              <button
                type="button"
                className="button button--danger"
                data-testid="connection-remove-force"
                onClick={() => runRemove(true)}
              >
                Remove anyway
              </button>
            ) : null}
            <button type="button" className="button" onClick={() => setRemove({ kind: "idle" })}>
              {remove.inUse ? "Keep it" : "Dismiss"}
            </button>
          </div>
        </div>
      ) : null}

      <div className="live" aria-live="polite">
        {pending === null ? null : (
          <PendingSignIn
            api={api}
            pending={pending}
            providerName={connection.provider_display_name}
            onCancel={props.onCancelReconnect}
          />
        )}
      </div>
    </article>
  );
}

type RenameFormProps = {
  api: ConnectionsApi;
  id: string;
  current: string;
  onDone: (changed: boolean) => void;
};

function RenameForm({ api, id, current, onDone }: RenameFormProps) {
  const inputId = useId();
  const [name, setName] = useState(current);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function save(event: FormEvent) {
    event.preventDefault();
    const trimmed = name.trim();
    if (trimmed === "") {
      setError("A connection needs a name.");
      return;
    }
    if (trimmed === current) {
      onDone(false);
      return;
    }
    setSaving(true);
    const result = await api.renameConnection(id, trimmed);
    setSaving(false);
    if (result.ok) {
      onDone(true);
    } else {
      setError(result.message);
    }
  }

  return (
    <form className="inline-form" onSubmit={save}>
      <div className="field">
        <label htmlFor={inputId}>New name</label>
        <div className="field__row">
          <input
            id={inputId}
            className="input"
            data-testid="connection-rename-input"
            value={name}
            onChange={(event) => {
              setName(event.target.value);
              setError(null);
            }}
            onKeyDown={(event) => {
              if (event.key === "Escape") {
                onDone(false);
              }
            }}
            // biome-ignore lint/a11y/noAutofocus: the user just asked to edit this field.
            autoFocus
            aria-invalid={error !== null}
          />
          <button
            type="submit"
            className="button button--primary"
            data-testid="connection-rename-save"
            disabled={saving}
          >
            {saving ? "Saving…" : "Save"}
          </button>
          <button type="button" className="button" onClick={() => onDone(false)}>
            Cancel
          </button>
        </div>
      </div>
      {error === null ? null : (
        <p className="feedback feedback--error" role="alert">
          Not renamed: {error}
        </p>
      )}
    </form>
  );
}

/** Which filter fields this connection can feed; asked again after a successful test. */
function CapabilitiesNote({
  api,
  id,
  version,
}: {
  api: ConnectionsApi;
  id: string;
  version: number;
}) {
  const [caps, setCaps] = useState<CapabilitiesView | null>(null);
  useEffect(() => {
    let live = true;
    // `version` changes after a test, which probes the connection again.
    void version;
    void api.capabilities(id).then((r) => {
      if (live && r.ok) {
        setCaps(r.value);
      }
    });
    return () => {
      live = false;
    };
  }, [api, id, version]);
  if (caps === null) {
    return null;
  }
  if (!caps.probed) {
    return (
      <p className="muted small" data-testid="connection-capabilities">
        Which filter fields it can feed is checked at the first test or sync.
      </p>
    );
  }
  if (caps.missing.length === 0) {
    return (
      <p className="muted small" data-testid="connection-capabilities">
        Feeds every filter field.
      </p>
    );
  }
  return (
    <div className="small" data-testid="connection-capabilities">
      <p className="muted">Filters on these fields cannot use this connection:</p>
      <ul className="capabilities">
        {caps.missing.map((m) => (
          <li key={m.field}>
            <strong>{m.field}</strong>: {m.reason}
          </li>
        ))}
      </ul>
    </div>
  );
}
