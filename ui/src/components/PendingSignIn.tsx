import { useState } from "react";
import { type ConnectionsApi, SIGN_IN_MINUTES } from "../api/connections";
import type { PendingConnect } from "../connections/connectFlow";
import { CopyText } from "./CopyText";

type PendingSignInProps = {
  api: ConnectionsApi;
  pending: PendingConnect;
  providerName: string;
  onCancel: () => void;
};

/**
 * The sign-in the browser is showing. The app opens the browser itself, but on some machines
 * none opens, so the link is always here to open again or copy.
 */
export function PendingSignIn({ api, pending, providerName, onCancel }: PendingSignInProps) {
  const [openError, setOpenError] = useState<string | null>(null);

  if (pending.phase === "starting") {
    return (
      <div className="pending" data-testid="connect-starting">
        <p className="pending__title">Opening {providerName}'s sign-in page…</p>
      </div>
    );
  }

  const { authorize_url: url, redirect_uri: redirectUri } = pending.start;

  async function openAgain() {
    const result = await api.openUrl(url);
    setOpenError(result.ok ? null : result.message);
  }

  return (
    <div className="pending" data-testid="connect-pending">
      <p className="pending__title">Finish signing in in your browser…</p>
      <p className="muted">
        If no browser window opened, open this link yourself. It works for {SIGN_IN_MINUTES}{" "}
        minutes, and {providerName} sends you back to Syncer at{" "}
        <span className="path">{redirectUri}</span>.
      </p>
      <CopyText value={url} label="the sign-in link" testId="authorize-url" />
      <div className="actions">
        <button type="button" className="button" onClick={openAgain}>
          Open in browser again
        </button>
        <button type="button" className="button button--link" onClick={onCancel}>
          Cancel
        </button>
      </div>
      {openError === null ? null : (
        <p className="feedback feedback--error" role="alert">
          The browser did not open: {openError} Copy the link into your browser instead.
        </p>
      )}
    </div>
  );
}
