// The app has four pages and no nested routes, so a router library would be more code than it
// saves. The current page lives in the URL hash (#/history) so that a reload during development
// keeps the page, and so the shell (tray menu, deep links) can open a page by setting the hash.

export const ROUTES = ["connections", "playlists", "history", "settings"] as const;

export type Route = (typeof ROUTES)[number];

/** Where the window opens, and where an unknown or empty hash lands. */
export const DEFAULT_ROUTE: Route = "connections";

const LABELS: Record<Route, string> = {
  connections: "Connections",
  playlists: "Playlists",
  history: "History",
  settings: "Settings",
};

export function isRoute(value: string): value is Route {
  return (ROUTES as readonly string[]).includes(value);
}

/** The page a location hash names; anything unrecognised falls back to the default page. */
export function parseRoute(hash: string): Route {
  // Accept "#/history", "#history", "/history" and "history", with any query or trailing slash,
  // so hand-typed and shell-generated links all work.
  const path = hash.replace(/^#/, "").replace(/^\/+/, "").split(/[/?]/, 1)[0] ?? "";
  const name = decodeSafely(path).toLowerCase();
  return isRoute(name) ? name : DEFAULT_ROUTE;
}

export function routeHref(route: Route): string {
  return `#/${route}`;
}

/** The page's name as shown in the navigation and as the page heading. */
export function routeLabel(route: Route): string {
  return LABELS[route];
}

function decodeSafely(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed escape is just an unknown page, not a crash.
    return segment;
  }
}
