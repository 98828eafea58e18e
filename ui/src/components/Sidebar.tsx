import { type Route, routeHref, routeLabel } from "../routes";
import { AppMark, LockIcon, RouteIcon } from "./icons";

// Settings sits apart at the bottom, where desktop apps usually keep it.
const MAIN_ROUTES: readonly Route[] = ["connections", "playlists", "history"];
const FOOTER_ROUTES: readonly Route[] = ["settings"];

type SidebarProps = { current: Route };

export function Sidebar({ current }: SidebarProps) {
  return (
    <aside className="sidebar">
      <div className="sidebar__brand">
        <AppMark size={28} />
        <span className="sidebar__name">Syncer</span>
      </div>
      <nav className="sidebar__nav" aria-label="Main">
        <ul className="nav-list">
          {MAIN_ROUTES.map((route) => (
            <NavItem key={route} route={route} current={current} />
          ))}
        </ul>
        <ul className="nav-list nav-list--footer">
          {FOOTER_ROUTES.map((route) => (
            <NavItem key={route} route={route} current={current} />
          ))}
        </ul>
      </nav>
      <p className="sidebar__note">
        <LockIcon size={14} />
        <span>Only ids and settings are kept on this computer.</span>
      </p>
    </aside>
  );
}

function NavItem({ route, current }: { route: Route; current: Route }) {
  const active = route === current;
  return (
    <li>
      <a
        className="nav-item"
        href={routeHref(route)}
        data-testid={`nav-${route}`}
        aria-current={active ? "page" : undefined}
      >
        <RouteIcon route={route} />
        <span>{routeLabel(route)}</span>
      </a>
    </li>
  );
}
