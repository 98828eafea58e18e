import type { PreviewView } from "../api/library";

type PreviewPanelProps = {
  preview: PreviewView;
  /** The child being edited, shown first and marked; others are listed for context. */
  focus?: string | undefined;
  title?: string | undefined;
};

/** What a sync would do, read without writing: counts, a sample, what no child takes. */
export function PreviewPanel({ preview, focus, title = "Preview" }: PreviewPanelProps) {
  const children =
    focus === undefined
      ? preview.children
      : [...preview.children].sort((a, b) => Number(b.id === focus) - Number(a.id === focus));
  return (
    <section className="preview" aria-label={title} data-testid="preview">
      <h3 className="preview__title">
        {title}: {preview.tracks} tracks in the base
      </h3>
      <ul className="preview__children">
        {children.map((c) => (
          <li
            key={c.id}
            className={c.id === focus ? "preview__child preview__child--focus" : "preview__child"}
            data-testid="preview-child"
          >
            <p>
              <strong>{c.name}</strong>: <span data-testid="preview-count">{c.count}</span>{" "}
              {c.count === 1 ? "track" : "tracks"}
              {c.unknown > 0 ? (
                <span className="muted">
                  {" "}
                  ({c.unknown} undecided: a field they need is unknown)
                </span>
              ) : null}
            </p>
            {c.sample.length > 0 ? (
              <ul className="preview__sample" aria-label={`Sample of ${c.name}`}>
                {c.sample.map((s) => (
                  <li key={s}>{s}</li>
                ))}
              </ul>
            ) : null}
            {c.note === null ? null : <p className="notice notice--warning small">{c.note}</p>}
            {c.problems.map((p) => (
              <p key={p} className="notice notice--warning small" role="note">
                This connection cannot provide {p}
              </p>
            ))}
          </li>
        ))}
      </ul>
      <p className="preview__unrouted" data-testid="preview-unrouted">
        No child takes <strong>{preview.unrouted}</strong>{" "}
        {preview.unrouted === 1 ? "track" : "tracks"}
        {preview.unrouted_sample.length > 0 ? `, e.g. ${preview.unrouted_sample.join("; ")}` : "."}
      </p>
      {preview.skipped.length > 0 ? (
        <p className="muted small">Not routable: {preview.skipped.join(", ")}</p>
      ) : null}
    </section>
  );
}
