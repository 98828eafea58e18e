import { useEffect, useState } from "react";
import {
  type ConnectionsApi,
  type Loadable,
  toLoadable,
  type VaultStatus,
} from "../api/connections";
import { LockIcon, WarningIcon } from "./icons";

/** Where sign-ins are kept (keyring, encrypted file, memory), and why not, if the store failed. */
export function VaultNote({ api }: { api: ConnectionsApi }) {
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
      const { description, error } = state.value;
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
