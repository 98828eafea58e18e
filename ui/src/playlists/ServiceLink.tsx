import { useState } from "react";
import type { LibraryApi, PageOf, ServicePage } from "../api/library";
import { NO_PAGE_LABELS } from "../labels";

type ServiceLinkProps = {
  /** Where it opens, as the shell said (built there from the id and the provider). */
  page: ServicePage;
  /** What to ask the shell to open: never an address the window made. */
  what: PageOf;
  /** The thing's name, for the button's accessible name. */
  name: string;
  api: Pick<LibraryApi, "openInService">;
};

/** "Open in Spotify" for a playlist or track, or why there is nothing to open (the demo). */
export function ServiceLink({ page, what, name, api }: ServiceLinkProps) {
  const [problem, setProblem] = useState<string | null>(null);
  if (page.kind === "none") {
    return (
      <span className="muted small service-link--none" data-testid="no-service-page">
        {NO_PAGE_LABELS[page.reason]}
      </span>
    );
  }
  return (
    <>
      <button
        type="button"
        className="button button--small button--link"
        aria-label={`Open ${name} in Spotify`}
        title={page.url}
        onClick={() => {
          setProblem(null);
          void api.openInService(what).then((result) => {
            if (!result.ok) {
              setProblem(result.message);
            }
          });
        }}
      >
        Open in Spotify
      </button>
      {problem === null ? null : (
        <span className="small history-children__error" role="alert">
          {problem}
        </span>
      )}
    </>
  );
}
