import { useSyncExternalStore } from "react";
import { parseRoute, type Route } from "./routes";

function subscribe(onChange: () => void): () => void {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

function currentRoute(): Route {
  return parseRoute(window.location.hash);
}

/** The page named by the location hash; re-renders when the hash changes, from anywhere. */
export function useRoute(): Route {
  return useSyncExternalStore(subscribe, currentRoute, currentRoute);
}
