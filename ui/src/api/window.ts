import { invoke as tauriInvoke, isTauri as tauriIsTauri } from "@tauri-apps/api/core";
import type { Route as WireRoute } from "../bindings/Route";
import { isRoute, parseRoute, type Route, routeHref } from "../routes";

// Closing the window destroys it (the app stays in the tray with no webview), so the page the
// user was on is kept by the shell (src-tauri/window.rs): the window tells it every page it
// shows, and a new window asks for it before its first render.

/** The two Tauri functions this needs; tests pass their own. */
export type WindowBridge = {
  isTauri: () => boolean;
  invoke: <T>(command: string, args?: Record<string, unknown>) => Promise<T>;
};

const realBridge: WindowBridge = {
  isTauri: tauriIsTauri,
  invoke: (command, args) => tauriInvoke(command, args),
};

/** The wire type and the UI's route list are the same names; a mismatch fails to compile. */
const asWire = (route: Route): WireRoute => route;

/**
 * Puts the window on the page the last window showed, when nothing else asked for one (a hash
 * already in the address wins). Never throws: at worst the window opens on the default page.
 */
export async function restoreRoute(
  location: { hash: string } = window.location,
  bridge: WindowBridge = realBridge,
): Promise<void> {
  if (!bridge.isTauri() || location.hash.replace(/^#\/?/, "") !== "") {
    return;
  }
  try {
    const last = await bridge.invoke<unknown>("last_route");
    if (typeof last === "string" && isRoute(last)) {
      location.hash = routeHref(last);
    }
  } catch {
    // An older shell without the command: the default page.
  }
}

/** Tells the shell each page the window shows, from now on (the current one first). */
export function rememberRoutes(
  target: Pick<Window, "addEventListener" | "removeEventListener"> & {
    location: { hash: string };
  } = window,
  bridge: WindowBridge = realBridge,
): () => void {
  if (!bridge.isTauri()) {
    return () => {};
  }
  const tell = () => {
    const route = asWire(parseRoute(target.location.hash));
    bridge.invoke("remember_route", { route }).catch(() => {
      // Losing the page on the next open is not worth a message.
    });
  };
  tell();
  target.addEventListener("hashchange", tell);
  return () => target.removeEventListener("hashchange", tell);
}
