import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import {
  type ConnectionsApi,
  type Loadable,
  toLoadable,
  type VaultStatus,
} from "../api/connections";
import { LockIcon, WarningIcon } from "./icons";

/** The shortest passphrase a new secrets file takes (the shell's MIN_NEW_PASSPHRASE). */
export const MIN_NEW_PASSPHRASE = 8;

type VaultNoteProps = {
  api: ConnectionsApi;
  /** Told when the user has just unlocked the secrets file. */
  onUnlocked?: (() => void) | undefined;
};

/**
 * Where sign-ins are kept (keyring, encrypted file, memory), and why not, if the store failed.
 * With no keyring the encrypted file waits for its passphrase: then this is the form for it.
 */
export function VaultNote({ api, onUnlocked }: VaultNoteProps) {
  const [state, setState] = useState<Loadable<VaultStatus>>(() =>
    api.isAvailable() ? { kind: "loading" } : { kind: "unavailable" },
  );

  useEffect(() => {
    if (!api.isAvailable()) {
      return;
    }
    let current = true;
    api.vaultStatus().then((result) => {
      if (current) {
        setState(toLoadable(result));
      }
    });
    return () => {
      current = false;
    };
  }, [api]);

  switch (state.kind) {
    case "loading":
    case "unavailable":
      return null;
    case "error":
      return (
        <div className="notice notice--warning" role="alert" data-testid="vault-error">
          <WarningIcon size={16} />
          <p>Syncer could not tell where sign-ins are stored: {state.message}</p>
        </div>
      );
    case "ok": {
      const status = state.value;
      if (status.needs_passphrase === true) {
        return (
          <VaultUnlock
            api={api}
            status={status}
            onUnlocked={(opened) => {
              setState({ kind: "ok", value: opened });
              onUnlocked?.();
            }}
          />
        );
      }
      const { description, error } = status;
      return (
        <>
          <p className="vault-note" data-testid="vault-status">
            <LockIcon size={14} />
            <span>Sign-ins are stored in: {description}</span>
          </p>
          {typeof error === "string" && error.trim() !== "" ? (
            <div className="notice notice--warning" role="alert" data-testid="vault-error">
              <WarningIcon size={16} />
              <p>{error}</p>
            </div>
          ) : null}
        </>
      );
    }
  }
}

type VaultUnlockProps = {
  api: ConnectionsApi;
  status: VaultStatus;
  onUnlocked: (opened: VaultStatus) => void;
};

/** The passphrase of the secrets file: chosen (typed twice) the first time, entered after. */
function VaultUnlock({ api, status, onUnlocked }: VaultUnlockProps) {
  const ids = useId();
  const choosing = status.file_exists !== true;
  const [passphrase, setPassphrase] = useState("");
  const [repeat, setRepeat] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const tooShort = choosing && passphrase.length > 0 && passphrase.length < MIN_NEW_PASSPHRASE;
  const mismatch = choosing && repeat !== "" && repeat !== passphrase;
  const ready = !busy && passphrase !== "" && (!choosing || (!tooShort && repeat === passphrase));

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!ready) {
      return;
    }
    setBusy(true);
    setProblem(null);
    const result = await api.unlockVault(passphrase);
    setBusy(false);
    if (!result.ok) {
      setProblem(result.message);
      input.current?.focus();
      input.current?.select();
      return;
    }
    setPassphrase("");
    setRepeat("");
    onUnlocked(result.value);
  }

  return (
    <form
      className="vault-unlock"
      onSubmit={submit}
      aria-labelledby={`${ids}-title`}
      data-testid="vault-unlock"
    >
      <p className="vault-unlock__title" id={`${ids}-title`}>
        <LockIcon size={16} />
        {choosing ? "Choose a passphrase for your sign-ins" : "Unlock your sign-ins"}
      </p>
      <p className="muted">
        {status.description}{" "}
        {choosing
          ? "Syncer asks for it each time it starts (or reads SYNCER_VAULT_PASSPHRASE). Nobody can recover it: if it is lost, you connect your services again. The demo library needs no sign-in."
          : "Until then, connections that sign in cannot sync."}
      </p>
      <div className="field">
        <label htmlFor={`${ids}-pass`}>Passphrase</label>
        <input
          ref={input}
          id={`${ids}-pass`}
          className="input"
          type="password"
          autoComplete={choosing ? "new-password" : "current-password"}
          value={passphrase}
          onChange={(event) => {
            setPassphrase(event.target.value);
            setProblem(null);
          }}
          aria-invalid={problem !== null || tooShort}
          aria-describedby={choosing ? `${ids}-hint` : undefined}
          data-testid="vault-passphrase"
        />
        {choosing ? (
          <p id={`${ids}-hint`} className={tooShort ? "feedback feedback--error" : "muted"}>
            At least {MIN_NEW_PASSPHRASE} characters.
          </p>
        ) : null}
      </div>
      {choosing ? (
        <div className="field">
          <label htmlFor={`${ids}-repeat`}>Repeat it</label>
          <input
            id={`${ids}-repeat`}
            className="input"
            type="password"
            autoComplete="new-password"
            value={repeat}
            onChange={(event) => setRepeat(event.target.value)}
            aria-invalid={mismatch}
            data-testid="vault-passphrase-repeat"
          />
          {mismatch ? (
            <p className="feedback feedback--error" role="alert">
              The two passphrases differ.
            </p>
          ) : null}
        </div>
      ) : null}
      {problem === null ? null : (
        <p className="feedback feedback--error" role="alert" data-testid="vault-unlock-error">
          {problem}
        </p>
      )}
      <div>
        <button
          type="submit"
          className="button button--primary"
          disabled={!ready}
          data-testid="vault-unlock-submit"
        >
          {busy ? "Opening…" : choosing ? "Keep sign-ins in this file" : "Unlock"}
        </button>
      </div>
    </form>
  );
}
