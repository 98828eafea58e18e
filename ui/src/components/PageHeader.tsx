import type { ReactNode } from "react";

type PageHeaderProps = { title: string; children?: ReactNode };

export function PageHeader({ title, children }: PageHeaderProps) {
  return (
    <header className="page-header">
      <h1 id="page-title" data-testid="page-title">
        {title}
      </h1>
      {children === undefined ? null : <p className="page-header__lede">{children}</p>}
    </header>
  );
}
