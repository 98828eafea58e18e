import { useCallback, useEffect, useId, useState } from "react";
import {
  type CloudApi,
  type CloudLiveState,
  type CloudStatusView,
  type ConflictItem,
  defaultCloudApi,
  type PassphraseView,
} from "../api/cloud";
import { ChangePassword } from "./ChangePassword";
import { AddDevice, DeviceList, JoinWithCode } from "./CloudDevices";
import { DeleteCloudData } from "./DeleteCloudData";

type Notice = { kind: "ok" | "warning"; text: string } | null;

/**
 * The optional cloud account: carries bases, children, filters and schedules to the user's
 * other devices, end-to-end encrypted with a passphrase the server never sees.
 */
export function CloudSection({ api = defaultCloudApi }: { api?: CloudApi | undefined }) {
  const ids = useId();
  const [status, setStatus] = useState<CloudStatusView | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState(false);
  const [server, setServer] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [passphrase, setPassphrase] = useState("");
  const [recovery, setRecovery] = useState<PassphraseView | null>(null);
  const [conflicts, setConflicts] = useState<ConflictItem[]>([]);
  // Why the account cannot be shown (outside the app, or the shell failed): said quietly, since
  // the rest of Settings still works.
  const [unavailable, setUnavailable] = useState<string | null>(null);
  // The shell's live connection to the cloud: null until it says anything.
  const [live, setLive] = useState<CloudLiveState | null>(null);
  // Bumped when a code is made, so the device list is read again.
  const [devicesVersion, setDevicesVersion] = useState(0);
  // Bumped only by live events, so a code being shown can tell it was used.
  const [liveDevicesVersion, setLiveDevicesVersion] = useState(0);

  const refresh = useCallback(async () => {
    const r = await api.status();
    if (r.ok) {
      setStatus(r.value);
      if (r.value.unlocked && r.value.open_conflicts > 0) {
        const c = await api.conflicts();
        setConflicts(c.ok ? c.value.filter((x) => !x.resolved) : []);
      } else {
        setConflicts([]);
      }
    } else {
      setUnavailable(r.message);
    }
  }, [api]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // Another device's changes arrive through the shell's live connection: show its state, and
  // refresh when something was applied.
  useEffect(() => {
    let stop: (() => void) | null = null;
    let gone = false;
    void api
      .onLive((event) => {
        setLive(event.state);
        if (event.changed) {
          void refresh();
          // A device may have joined or been removed.
          setDevicesVersion((v) => v + 1);
          setLiveDevicesVersion((v) => v + 1);
        }
      })
      .then((unlisten) => {
        if (gone) {
          unlisten();
        } else {
          stop = unlisten;
        }
      });
    return () => {
      gone = true;
      stop?.();
    };
  }, [api, refresh]);

  async function act<T>(
    run: () => Promise<{ ok: true; value: T } | { ok: false; message: string }>,
    ok: (v: T) => string,
  ) {
    setBusy(true);
    const r = await run();
    setBusy(false);
    setNotice(r.ok ? { kind: "ok", text: ok(r.value) } : { kind: "warning", text: r.message });
    await refresh();
    return r.ok;
  }

  const message =
    notice === null ? null : (
      <p
        className={notice.kind === "ok" ? "notice notice--ok" : "notice notice--warning"}
        role={notice.kind === "ok" ? "status" : "alert"}
      >
        {notice.text}
      </p>
    );

  if (status === null) {
    return <p className="muted">{unavailable ?? "Looking up the cloud account…"}</p>;
  }

  if (!status.signed_in) {
    return (
      <div className="inline-form">
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
          }}
        >
          <p className="muted">
            Optional: an account carries your bases, children, filters and schedules to your other
            devices. It is encrypted on this computer with a passphrase only you know; the server
            stores ciphertext it cannot read.
          </p>
          <p className="field">
            <label htmlFor={`${ids}-server`}>Server</label>
            <input
              id={`${ids}-server`}
              className="input"
              value={server}
              placeholder={status.default_server_url}
              onChange={(e) => setServer(e.target.value)}
            />
          </p>
          <p className="field">
            <label htmlFor={`${ids}-email`}>Email</label>
            <input
              id={`${ids}-email`}
              className="input"
              type="email"
              autoComplete="username"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </p>
          <p className="field">
            <label htmlFor={`${ids}-password`}>Password</label>
            <input
              id={`${ids}-password`}
              className="input"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </p>
          {message}
          <div className="actions">
            {[false, true].map((create) => (
              <button
                key={String(create)}
                type="button"
                className={create ? "button" : "button button--primary"}
                disabled={busy || email.trim() === "" || password === ""}
                onClick={() =>
                  void act(
                    () => api.signIn(server, email, password, create),
                    (s) => `Signed in as ${s.email ?? email}. Next: enter your sync passphrase.`,
                  ).then((ok) => ok && setPassword(""))
                }
              >
                {create ? "Create an account" : "Sign in"}
              </button>
            ))}
          </div>
        </form>
        <JoinWithCode
          api={api}
          onJoined={(j) => {
            setNotice({
              kind: "ok",
              text: `Joined ${j.status.email ?? "the account"} with the code from ${j.created_by_device}: ${j.applied} item(s) arrived.`,
            });
            void refresh();
          }}
        />
      </div>
    );
  }

  return (
    <div className="inline-form" data-testid="cloud-signed-in">
      <p>
        Signed in as <strong>{status.email}</strong> on {status.server_url}.{" "}
        {status.last_sync_at === null
          ? "Not synced yet."
          : `Last synced ${new Date(status.last_sync_at).toLocaleString()}.`}{" "}
        {status.records} items kept in step.{" "}
        {live === "live" ? (
          <span
            className="badge badge--ok"
            data-testid="cloud-live"
            title="Changes from your other devices arrive as they are made"
          >
            Live
          </span>
        ) : live === "reconnecting" ? (
          <span
            className="badge badge--warning"
            data-testid="cloud-live"
            title="The connection to the cloud dropped; trying again"
          >
            Reconnecting…
          </span>
        ) : null}
      </p>
      {recovery?.recovery_code ? (
        <div className="notice notice--warning" role="alert" data-testid="recovery-code">
          <p>
            Your recovery code: <code>{recovery.recovery_code}</code>
          </p>
          <p>{recovery.warning}</p>
          <button type="button" className="button button--small" onClick={() => setRecovery(null)}>
            I have written it down
          </button>
        </div>
      ) : null}
      {status.unlocked ? null : (
        <div className="field">
          <label htmlFor={`${ids}-passphrase`}>Sync passphrase</label>
          <p className="muted small">
            The first device sets it; the others enter the same one. It never leaves this computer.
          </p>
          <div className="field__row">
            <input
              id={`${ids}-passphrase`}
              className="input"
              type="password"
              value={passphrase}
              onChange={(e) => setPassphrase(e.target.value)}
            />
            <button
              type="button"
              className="button button--primary"
              disabled={busy || passphrase === ""}
              onClick={() =>
                void act(
                  () => api.passphrase(passphrase),
                  (p) => {
                    setRecovery(p.created ? p : null);
                    return p.created
                      ? "Passphrase set: this device can sync."
                      : "Unlocked: this device can sync.";
                  },
                ).then((ok) => ok && setPassphrase(""))
              }
            >
              Unlock
            </button>
          </div>
        </div>
      )}
      {message}
      <div className="actions">
        <button
          type="button"
          className="button button--primary"
          disabled={busy || !status.unlocked}
          onClick={() =>
            void act(
              api.sync,
              (r) =>
                `Synced: ${r.pushed} sent, ${r.applied} received${
                  r.open_conflicts > 0 ? `, ${r.open_conflicts} conflict(s) to settle below` : ""
                }.`,
            )
          }
        >
          Sync setup now
        </button>
        <button
          type="button"
          className="button"
          disabled={busy}
          onClick={() =>
            void act(api.signOut, () => "Signed out; your setup stays on this computer.")
          }
        >
          Sign out
        </button>
      </div>
      {conflicts.length > 0 ? (
        <section aria-label="Conflicts" className="conflicts">
          <h3 className="card__title">Changed on two devices</h3>
          {conflicts.map((c) => (
            <article key={c.id} className="conflict" data-testid="cloud-conflict">
              <p>
                <strong>{c.what}</strong>
              </p>
              <div className="conflict__versions">
                <div>
                  <p className="muted small">This device</p>
                  <pre>{c.local === null ? "(deleted)" : JSON.stringify(c.local, null, 2)}</pre>
                </div>
                <div>
                  <p className="muted small">The other device</p>
                  <pre>{c.remote === null ? "(deleted)" : JSON.stringify(c.remote, null, 2)}</pre>
                </div>
              </div>
              <div className="actions">
                <button
                  type="button"
                  className="button button--small"
                  onClick={() =>
                    void act(
                      () => api.resolve(c.id, "local"),
                      () => "Kept this device's version.",
                    )
                  }
                >
                  Keep this device's
                </button>
                <button
                  type="button"
                  className="button button--small"
                  onClick={() =>
                    void act(
                      () => api.resolve(c.id, "remote"),
                      () => "Kept the other device's version.",
                    )
                  }
                >
                  Keep the other device's
                </button>
              </div>
            </article>
          ))}
        </section>
      ) : null}
      <ChangePassword api={api} />
      {status.unlocked ? (
        <AddDevice
          api={api}
          version={liveDevicesVersion}
          onAdded={() => setDevicesVersion((v) => v + 1)}
        />
      ) : null}
      <DeviceList
        api={api}
        version={devicesVersion}
        onSignedOut={() => {
          setNotice({ kind: "ok", text: "This device was removed and signed out." });
          void refresh();
        }}
      />
      <DeleteCloudData
        api={api}
        onDeleted={() => {
          setNotice({
            kind: "ok",
            text: "The cloud copy is deleted; this computer keeps its setup.",
          });
          void refresh();
        }}
      />
    </div>
  );
}
