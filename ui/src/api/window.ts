import type { Route as WireRoute } from "../bindings/Route";
import { parseRoute, type Route, routeHref } from "../routes";
import { type Bridge, call, type Outcome, realBridge } from "./bridge";

// Closing the window destroys it (the app stays in the tray with no webview), so the page the
// user was on is kept by the shell (src-tauri/window.rs): the window tells it every page it
// shows, and a new window asks for it before its first render.

export type WindowApi = {
  lastRoute: () => Promise<Outcome<WireRoute | null>>;
  rememberRoute: (route: WireRoute) => Promise<Outcome<null>>;
};

export function createWindowApi(bridge: Bridge = realBridge): WindowApi {
  return {
    lastRoute: () => call(bridge, "last_route"),
    rememberRoute: (route) => call(bridge, "remember_route", { route }),
  };
}

/** The wire type and the UI's route list are the same names; a mismatch fails to compile. */
const asWire = (route: Route): WireRoute => route;

/**
 * Puts the window on the page the last window showed, when nothing else asked for one (a hash
 * already in the address wins). Never throws: at worst the window opens on the default page.
 */
export async function restoreRoute(
  location: { hash: string } = window.location,
  bridge: Bridge = realBridge,
): Promise<void> {
  if (!bridge.isTauri() || location.hash.replace(/^#\/?/, "") !== "") {
    return;
  }
  const last = await createWindowApi(bridge).lastRoute();
  if (last.ok && last.value !== null) {
    location.hash = routeHref(last.value);
  }
}

/** Tells the shell each page the window shows, from now on (the current one first). */
export function rememberRoutes(
  target: Pick<Window, "addEventListener" | "removeEventListener"> & {
    location: { hash: string };
  } = window,
  bridge: Bridge = realBridge,
): () => void {
  if (!bridge.isTauri()) {
    return () => {};
  }
  const api = createWindowApi(bridge);
  // Losing the page on the next open is not worth a message: the outcome is not shown.
  const tell = () => void api.rememberRoute(asWire(parseRoute(target.location.hash)));
  tell();
  target.addEventListener("hashchange", tell);
  return () => target.removeEventListener("hashchange", tell);
}
