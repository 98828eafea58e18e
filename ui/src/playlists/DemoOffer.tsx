import { useState } from "react";
import { defaultLibraryApi, type LibraryApi } from "../api/library";
import "./playlists.css";

/** The demo library: a stand-in for Spotify with a generated library, no account needed. */
export function DemoOffer({
  api = defaultLibraryApi,
  onReady,
  compact = false,
}: {
  api?: LibraryApi | undefined;
  onReady: () => void;
  /** Just the button and a line, inside another panel (the first-run empty state). */
  compact?: boolean;
}) {
  const [state, setState] = useState<"idle" | "busy" | { error: string }>("idle");
  const button = (
    <button
      type="button"
      className="button button--primary"
      disabled={state === "busy" || !api.isAvailable()}
      onClick={() => {
        setState("busy");
        void api.setUpDemo().then((r) => {
          if (r.ok) {
            setState("idle");
            onReady();
          } else {
            setState({ error: r.message });
          }
        });
      }}
    >
      {state === "busy" ? "Setting up…" : "Set up the demo library"}
    </button>
  );
  const failure =
    typeof state === "object" ? (
      <p className="notice notice--warning" role="alert">
        {state.error}
      </p>
    ) : null;
  if (compact) {
    return (
      <div className="demo-offer" data-testid="first-run-demo">
        <p>
          New here? See routing work in a minute with the demo library: no account, nothing leaves
          this computer.
        </p>
        {failure}
        {button}
      </div>
    );
  }
  return (
    <section className="card" aria-label="Try the demo library">
      <h2 className="card__title">Try it with the demo library</h2>
      <p className="card__intro">
        No account needed: Syncer starts a stand-in for Spotify on this computer with 600 generated
        tracks, makes its Liked Songs your base and adds five children (rock, electronic, hip hop,
        the 2020s, classics). Then press Sync and watch the tracks go where they belong.
      </p>
      {failure}
      {button}
    </section>
  );
}
