import type { ReactNode } from "react";

type EmptyStateProps = {
  icon: ReactNode;
  title: string;
  children: ReactNode;
  /** An illustration under the text, such as a diagram of the idea. */
  figure?: ReactNode | undefined;
  /** The next step, shown last and quieter. */
  hint?: ReactNode | undefined;
  /** Left-aligned and smaller, for a page that has other content beside it. */
  compact?: boolean | undefined;
};

/** What a page will hold, said plainly while there is nothing to show yet. */
export function EmptyState({
  icon,
  title,
  children,
  figure,
  hint,
  compact = false,
}: EmptyStateProps) {
  return (
    <section
      className={compact ? "empty-state empty-state--compact" : "empty-state"}
      data-testid="empty-state"
      aria-label={title}
    >
      <div className="empty-state__icon">{icon}</div>
      <div className="empty-state__text">
        <h2 className="empty-state__title">{title}</h2>
        <div className="empty-state__body">{children}</div>
      </div>
      {figure}
      {hint === undefined ? null : <p className="empty-state__hint">{hint}</p>}
    </section>
  );
}
