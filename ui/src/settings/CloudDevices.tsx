import { useCallback, useEffect, useId, useRef, useState } from "react";
import type { CloudApi, DeviceView, EnrollmentView, JoinView } from "../api/cloud";

type Notice = { kind: "ok" | "warning"; text: string } | null;

function NoticeLine({ notice }: { notice: Notice }) {
  if (notice === null) {
    return null;
  }
  return (
    <p
      className={notice.kind === "ok" ? "notice notice--ok" : "notice notice--warning"}
      role={notice.kind === "ok" ? "status" : "alert"}
    >
      {notice.text}
    </p>
  );
}

/** "9:41" for 581 seconds. */
export function formatRemaining(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** Seconds until `expiresAt`, ticking once a second. */
function useRemaining(expiresAt: number | null, now: () => number): number {
  const [remaining, setRemaining] = useState(() =>
    expiresAt === null ? 0 : (expiresAt - now()) / 1000,
  );
  useEffect(() => {
    if (expiresAt === null) {
      return;
    }
    const tick = () => setRemaining((expiresAt - now()) / 1000);
    tick();
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [expiresAt, now]);
  return remaining;
}

/**
 * "Add a device": a QR code the new device scans, the same code as text to copy, a countdown to
 * its expiry and a way to get a new one. The code lets whoever holds it join the account until it
 * is used or expires, so it is shown only when asked for.
 */
export function AddDevice({
  api,
  now = Date.now,
  onAdded,
  version = 0,
}: {
  api: CloudApi;
  now?: () => number;
  onAdded?: () => void;
  /** Bumped when the account's devices may have changed (a live event). */
  version?: number;
}) {
  const ids = useId();
  const [enrollment, setEnrollment] = useState<EnrollmentView | null>(null);
  const [shownAt, setShownAt] = useState(0);
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState(false);
  const remaining = useRemaining(enrollment?.expires_at ?? null, now);
  const expired = enrollment !== null && remaining <= 0;

  // A device that joined by code since this one was shown used it: the code works no more, so
  // it goes, and the notice says who joined.
  useEffect(() => {
    if (version === 0 || enrollment === null) {
      return;
    }
    let current = true;
    void api.devices().then((r) => {
      if (!current || !r.ok) {
        return;
      }
      // A minute of slack for a server clock behind this computer's.
      const joined = r.value.find(
        (d) => d.enrolled_by === "qr" && d.created_at >= shownAt - 60_000,
      );
      if (joined !== undefined) {
        setEnrollment(null);
        setNotice({
          kind: "ok",
          text: `${joined.name} joined with the code; it works no more. Show a new code for another device.`,
        });
      }
    });
    return () => {
      current = false;
    };
  }, [api, version, enrollment, shownAt]);

  async function newCode() {
    setBusy(true);
    const r = await api.createEnrollment();
    setBusy(false);
    if (r.ok) {
      setEnrollment(r.value);
      setShownAt(now());
      setNotice(null);
      onAdded?.();
    } else {
      setNotice({ kind: "warning", text: r.message });
    }
  }

  async function copy(code: string) {
    try {
      await navigator.clipboard.writeText(code);
      setNotice({ kind: "ok", text: "Code copied. Paste it on the new device." });
    } catch {
      setNotice({ kind: "warning", text: "Could not copy: select the code and copy it by hand." });
    }
  }

  return (
    <section aria-labelledby={`${ids}-title`} className="add-device">
      <h3 className="card__title" id={`${ids}-title`}>
        Add a device
      </h3>
      <p className="muted small">
        Scan the code with the new device, or paste the text there under “Join with a code”. No
        passphrase is typed on it. The code works once, for a few minutes; anyone who has it can
        join your account until then, so show it only to the device you are adding.
      </p>
      {enrollment === null ? null : (
        <div className="add-device__code" data-testid="enrollment">
          {expired ? (
            <p className="notice notice--warning" role="alert">
              This code has expired. Get a new one.
            </p>
          ) : (
            <>
              <img
                className="add-device__qr"
                src={`data:image/svg+xml;utf8,${encodeURIComponent(enrollment.svg)}`}
                alt="QR code for the new device to scan"
                width={240}
                height={240}
              />
              {/* A live region would read every second aloud; the text is there to read. */}
              <p className="small" role="timer" aria-live="off" data-testid="enrollment-countdown">
                Expires in {formatRemaining(remaining)}
              </p>
            </>
          )}
          <p className="field">
            <label htmlFor={`${ids}-code`}>Code to paste on the new device</label>
            <span className="field__row">
              <input
                id={`${ids}-code`}
                className="input input--mono"
                readOnly
                value={expired ? "" : enrollment.code}
                onFocus={(e) => e.currentTarget.select()}
              />
              <button
                type="button"
                className="button button--small"
                disabled={expired}
                onClick={() => void copy(enrollment.code)}
              >
                Copy code
              </button>
            </span>
          </p>
        </div>
      )}
      <NoticeLine notice={notice} />
      <div className="actions">
        <button
          type="button"
          className={enrollment === null ? "button button--primary" : "button"}
          disabled={busy}
          onClick={() => void newCode()}
        >
          {enrollment === null ? "Show a code" : "New code"}
        </button>
        {enrollment === null ? null : (
          <button type="button" className="button" onClick={() => setEnrollment(null)}>
            Hide the code
          </button>
        )}
      </div>
    </section>
  );
}

function describe(d: DeviceView): string {
  const what = [d.platform, d.os_version, d.model].filter((v) => v !== null).join(" ");
  const joined = d.enrolled_by === "qr" ? "joined with a code" : "signed in with the password";
  const parts = [
    what,
    d.app_version === null ? "" : `Syncer ${d.app_version}`,
    `${joined} ${new Date(d.created_at).toLocaleDateString()}`,
    `last seen ${new Date(d.last_seen_at).toLocaleString()}`,
  ];
  return parts.filter((p) => p !== "").join(" · ");
}

function DeviceRow({
  device,
  api,
  onChanged,
  onSignedOut,
}: {
  device: DeviceView;
  api: CloudApi;
  onChanged: (notice: Notice) => void;
  onSignedOut: () => void;
}) {
  const ids = useId();
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(device.name);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  // When removal asks for confirmation, the choice that changes nothing gets the focus.
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) {
      keep.current?.focus();
    }
  }, [confirming]);

  async function rename() {
    setBusy(true);
    const r = await api.renameDevice(device.id, name);
    setBusy(false);
    if (r.ok) {
      setRenaming(false);
    }
    onChanged(
      r.ok
        ? { kind: "ok", text: `Renamed to ${r.value.name}.` }
        : { kind: "warning", text: r.message },
    );
  }

  async function revoke() {
    setBusy(true);
    const r = await api.revokeDevice(device.id);
    setBusy(false);
    setConfirming(false);
    if (r.ok && r.value) {
      onSignedOut();
      return;
    }
    onChanged(
      r.ok
        ? { kind: "ok", text: `${device.name} was removed; it is signed out at once.` }
        : { kind: "warning", text: r.message },
    );
  }

  return (
    <li className="device" data-testid="cloud-device">
      {renaming ? (
        <form
          className="field__row"
          onSubmit={(e) => {
            e.preventDefault();
            void rename();
          }}
        >
          <label className="visually-hidden" htmlFor={`${ids}-name`}>
            New name for {device.name}
          </label>
          <input
            id={`${ids}-name`}
            className="input"
            value={name}
            onChange={(e) => setName(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape") {
                setRenaming(false);
                setName(device.name);
              }
            }}
          />
          <button
            type="submit"
            className="button button--small button--primary"
            disabled={busy || name.trim() === ""}
          >
            Save
          </button>
          <button
            type="button"
            className="button button--small"
            onClick={() => {
              setRenaming(false);
              setName(device.name);
            }}
          >
            Cancel
          </button>
        </form>
      ) : (
        <p>
          <strong>{device.name}</strong>
          {device.current ? <span className="tag"> (this device)</span> : null}
        </p>
      )}
      <p className="muted small">{describe(device)}</p>
      {confirming ? (
        <div className="notice notice--warning" role="alertdialog" aria-label="Confirm removal">
          <p>
            Remove {device.name}?{" "}
            {device.current
              ? "This device will be signed out of the account; its setup stays."
              : "It will be signed out at once and can no longer sync."}
          </p>
          <div className="actions">
            <button
              type="button"
              className="button button--small button--danger"
              disabled={busy}
              onClick={() => void revoke()}
            >
              Remove {device.name}
            </button>
            <button
              type="button"
              className="button button--small"
              ref={keep}
              onClick={() => setConfirming(false)}
            >
              Keep it
            </button>
          </div>
        </div>
      ) : (
        <div className="actions">
          <button
            type="button"
            className="button button--small"
            disabled={busy || renaming}
            aria-label={`Rename ${device.name}`}
            onClick={() => setRenaming(true)}
          >
            Rename
          </button>
          <button
            type="button"
            className="button button--small"
            disabled={busy}
            aria-label={`Remove ${device.name}`}
            onClick={() => setConfirming(true)}
          >
            Remove
          </button>
        </div>
      )}
    </li>
  );
}

/** The account's devices, each renamable and removable (removal asks first). */
export function DeviceList({
  api,
  onSignedOut,
  version = 0,
}: {
  api: CloudApi;
  onSignedOut: () => void;
  /** Bump to list again (a code was made, a device may have joined). */
  version?: number;
}) {
  const ids = useId();
  const [devices, setDevices] = useState<DeviceView[] | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  // Why the list could not be read: said quietly, since nothing the user did failed.
  const [unreadable, setUnreadable] = useState<string | null>(null);

  const load = useCallback(async () => {
    const r = await api.devices();
    if (r.ok) {
      setDevices(r.value);
      setUnreadable(null);
    } else {
      setUnreadable(r.message);
    }
  }, [api]);

  useEffect(() => {
    void version;
    void load();
  }, [load, version]);

  return (
    <section aria-labelledby={`${ids}-title`} className="devices">
      <h3 className="card__title" id={`${ids}-title`}>
        Devices
      </h3>
      {devices === null ? (
        <p className="muted">{unreadable ?? "Looking up your devices…"}</p>
      ) : (
        <ul className="device-list">
          {devices.map((d) => (
            <DeviceRow
              key={d.id}
              device={d}
              api={api}
              onSignedOut={onSignedOut}
              onChanged={(n) => {
                setNotice(n);
                void load();
              }}
            />
          ))}
        </ul>
      )}
      <NoticeLine notice={notice} />
      <div className="actions">
        <button type="button" className="button button--small" onClick={() => void load()}>
          Refresh the list
        </button>
      </div>
    </section>
  );
}

/** On a device that is not signed in: join an account with a code from a signed-in device. */
export function JoinWithCode({
  api,
  onJoined,
}: {
  api: CloudApi;
  onJoined: (joined: JoinView) => void;
}) {
  const ids = useId();
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice>(null);

  async function join() {
    setBusy(true);
    const r = await api.join(code.trim(), name.trim() === "" ? null : name.trim());
    setBusy(false);
    if (r.ok) {
      setCode("");
      setNotice(null);
      onJoined(r.value);
    } else {
      setNotice({ kind: "warning", text: r.message });
    }
  }

  return (
    <form
      className="inline-form"
      aria-labelledby={`${ids}-title`}
      onSubmit={(e) => {
        e.preventDefault();
        void join();
      }}
    >
      <h3 className="card__title" id={`${ids}-title`}>
        Join with a code
      </h3>
      <p className="muted small">
        On a device that is already signed in, open Settings → Cloud sync → Add a device, and paste
        the code it shows here. No password or passphrase is needed.
      </p>
      <p className="field">
        <label htmlFor={`${ids}-code`}>Code from your other device</label>
        <input
          id={`${ids}-code`}
          className="input input--mono"
          value={code}
          placeholder="syncer-enroll:v1:…"
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setCode(e.target.value)}
        />
      </p>
      <p className="field">
        <label htmlFor={`${ids}-name`}>Name for this device (optional)</label>
        <input
          id={`${ids}-name`}
          className="input"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
      </p>
      <NoticeLine notice={notice} />
      <div className="actions">
        <button
          type="submit"
          className="button button--primary"
          disabled={busy || code.trim() === ""}
        >
          Join
        </button>
      </div>
    </form>
  );
}
