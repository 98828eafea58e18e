import { useId, useState } from "react";
import type { CloudApi } from "../api/cloud";

/** The server asks for at least this many characters (crates/cloud, routes/auth.rs). */
const MIN_PASSWORD = 10;

/**
 * Changing the account password, behind a disclosure since it is rare. The server signs every
 * other device out; the sync passphrase (which seals the data) is separate and unchanged.
 */
export function ChangePassword({ api }: { api: Pick<CloudApi, "changePassword"> }) {
  const ids = useId();
  const [open, setOpen] = useState(false);
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);

  const problem =
    next.length > 0 && next.length < MIN_PASSWORD
      ? `At least ${MIN_PASSWORD} characters.`
      : again.length > 0 && again !== next
        ? "The two new passwords differ."
        : null;
  const ready = current !== "" && next.length >= MIN_PASSWORD && again === next && !busy;

  async function submit() {
    setBusy(true);
    const r = await api.changePassword(current, next);
    setBusy(false);
    if (r.ok) {
      setCurrent("");
      setNext("");
      setAgain("");
      setOpen(false);
      setNotice({
        ok: true,
        text:
          r.value === 0
            ? "Password changed."
            : `Password changed; ${r.value} other device(s) signed out: they sign in again with the new password.`,
      });
    } else {
      setNotice({ ok: false, text: r.message });
    }
  }

  const field = (label: string, value: string, set: (v: string) => void, auto: string) => (
    <p className="field">
      <label htmlFor={`${ids}-${label}`}>{label}</label>
      <input
        id={`${ids}-${label}`}
        className="input"
        type="password"
        autoComplete={auto}
        value={value}
        onChange={(e) => set(e.target.value)}
      />
    </p>
  );

  return (
    <div data-testid="change-password">
      {notice === null ? null : (
        <p
          className={notice.ok ? "notice notice--ok" : "notice notice--warning"}
          role={notice.ok ? "status" : "alert"}
        >
          {notice.text}
        </p>
      )}
      {open ? (
        <form
          className="inline-form"
          aria-label="Change the account password"
          onSubmit={(e) => {
            e.preventDefault();
            if (ready) {
              void submit();
            }
          }}
        >
          {field("Current password", current, setCurrent, "current-password")}
          {field("New password", next, setNext, "new-password")}
          {field("New password again", again, setAgain, "new-password")}
          {problem === null ? null : (
            <p className="muted small" role="alert">
              {problem}
            </p>
          )}
          <p className="muted small">
            Your other devices are signed out and sign in again with the new password. Your sync
            passphrase does not change.
          </p>
          <div className="actions">
            <button type="submit" className="button button--primary" disabled={!ready}>
              Change password
            </button>
            <button type="button" className="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <button type="button" className="button" onClick={() => setOpen(true)}>
          Change account password…
        </button>
      )}
    </div>
  );
}
