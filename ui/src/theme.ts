// The window's theme: "system" follows the operating system (prefers-color-scheme); "light" and
// "dark" override it through `data-theme` on <html>, which styles/tokens.css honours.

import { useEffect, useLayoutEffect } from "react";
import { isTheme } from "./api/enums";
import { defaultSyncApi, type SyncApi, type Theme } from "./api/sync";

/**
 * The last theme applied, kept by the webview, so the window opens in it at once instead of
 * flashing the system's colours until the settings have been read.
 */
const STORAGE_KEY = "syncer.theme";

export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  root.dataset.theme = theme;
  try {
    localStorage.setItem(STORAGE_KEY, theme);
  } catch {
    // Storage can be off (private mode, a locked-down webview); the setting still applies now.
  }
}

/** The theme last applied in this webview; "system" when there is none. */
export function rememberedTheme(): Theme {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return isTheme(value) ? value : "system";
  } catch {
    return "system";
  }
}

/** Applies the saved theme when the app starts. Call once, from App. */
export function useTheme(api: Pick<SyncApi, "getSettings"> = defaultSyncApi): void {
  // Before the first paint, from the webview's memory.
  useLayoutEffect(() => {
    applyTheme(rememberedTheme());
  }, []);

  // Then the saved setting, which wins: the webview's memory may be older than the database.
  useEffect(() => {
    let current = true;
    api.getSettings().then((result) => {
      if (current && result.ok) {
        applyTheme(result.value.settings.theme);
      }
    });
    return () => {
      current = false;
    };
  }, [api]);
}
