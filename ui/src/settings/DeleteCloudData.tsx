import { useId, useState } from "react";
import type { CloudApi } from "../api/cloud";

/**
 * Deleting the cloud copy (records and key; the account and this computer's setup stay). It
 * asks for the account's password every time: the server wants it once a sign-in is older than
 * a few minutes, which a desktop's sign-in nearly always is, so asking up front spares a
 * refused attempt and a second prompt.
 */
export function DeleteCloudData({
  api,
  onDeleted,
}: {
  api: Pick<CloudApi, "deleteData">;
  onDeleted: () => void;
}) {
  const ids = useId();
  const [confirm, setConfirm] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const ready = confirm.trim() === "delete" && password !== "" && !busy;

  async function submit() {
    setBusy(true);
    const r = await api.deleteData(confirm, password);
    setBusy(false);
    if (r.ok) {
      setConfirm("");
      setPassword("");
      setProblem(null);
      onDeleted();
      return;
    }
    // What to do next depends on the kind of refusal, not on the server's wording.
    setProblem(
      r.code === "wrong_password"
        ? "That is not the account's password. Nothing was deleted; try again."
        : r.code === "password_required"
          ? "Enter the account's password to confirm. Nothing was deleted."
          : r.message,
    );
  }

  return (
    <form
      className="inline-form"
      aria-label="Delete the cloud copy"
      onSubmit={(e) => {
        e.preventDefault();
        if (ready) {
          void submit();
        }
      }}
    >
      <p className="field">
        <label htmlFor={`${ids}-confirm`}>Delete the cloud copy (type delete)</label>
        <input
          id={`${ids}-confirm`}
          className="input"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
        />
      </p>
      <p className="field">
        <label htmlFor={`${ids}-password`}>Account password</label>
        <input
          id={`${ids}-password`}
          className="input"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </p>
      {problem === null ? null : (
        <p className="notice notice--warning" role="alert">
          {problem}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="button button--danger" disabled={!ready}>
          Delete cloud data
        </button>
      </div>
    </form>
  );
}
