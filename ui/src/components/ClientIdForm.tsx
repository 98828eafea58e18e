import { type FormEvent, useId, useState } from "react";
import type { ConnectionsApi } from "../api/connections";

type ClientIdFormProps = {
  api: ConnectionsApi;
  provider: string;
  providerName: string;
  /** The saved Client ID, if any, to start from. */
  initial?: string | null | undefined;
  inputTestId: string;
  saveTestId: string;
  disabled?: boolean | undefined;
  onSaved?: ((clientId: string) => void) | undefined;
  onCancel?: (() => void) | undefined;
};

type SaveState =
  | { kind: "idle" }
  | { kind: "saving" }
  | { kind: "saved" }
  | { kind: "error"; message: string };

/** The Client ID of the user's own app at the provider, which Syncer signs in with. */
export function ClientIdForm({
  api,
  provider,
  providerName,
  initial,
  inputTestId,
  saveTestId,
  disabled = false,
  onSaved,
  onCancel,
}: ClientIdFormProps) {
  const inputId = useId();
  const [value, setValue] = useState(initial ?? "");
  const [state, setState] = useState<SaveState>({ kind: "idle" });

  async function save(event: FormEvent) {
    event.preventDefault();
    const clientId = value.trim();
    if (clientId === "") {
      setState({
        kind: "error",
        message: `Paste the Client ID of your ${providerName} app first.`,
      });
      return;
    }
    setState({ kind: "saving" });
    const result = await api.setClientId(provider, clientId);
    if (result.ok) {
      setState({ kind: "saved" });
      onSaved?.(clientId);
    } else {
      setState({ kind: "error", message: result.message });
    }
  }

  return (
    <form className="inline-form" onSubmit={save}>
      <div className="field">
        <label htmlFor={inputId}>{providerName} Client ID</label>
        <div className="field__row">
          <input
            id={inputId}
            className="input input--mono"
            data-testid={inputTestId}
            value={value}
            onChange={(event) => {
              setValue(event.target.value);
              setState({ kind: "idle" });
            }}
            autoComplete="off"
            spellCheck={false}
            disabled={disabled}
            aria-invalid={state.kind === "error"}
          />
          <button
            type="submit"
            className="button button--primary"
            data-testid={saveTestId}
            disabled={disabled || state.kind === "saving"}
          >
            {state.kind === "saving" ? "Saving…" : "Save"}
          </button>
          {onCancel === undefined ? null : (
            <button type="button" className="button" onClick={onCancel}>
              Cancel
            </button>
          )}
        </div>
      </div>
      {state.kind === "saved" ? (
        <p className="feedback feedback--ok" role="status" data-testid={`${inputTestId}-saved`}>
          Saved.
        </p>
      ) : null}
      {state.kind === "error" ? (
        <p className="feedback feedback--error" role="alert" data-testid={`${inputTestId}-error`}>
          Not saved: {state.message}
        </p>
      ) : null}
    </form>
  );
}
