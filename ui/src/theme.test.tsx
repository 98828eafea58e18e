// @vitest-environment jsdom
import { cleanup, render, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Outcome } from "./api/bridge";
import type { SettingsView, SyncApi } from "./api/sync";
import { settingsView } from "./test/fakeSync";
import { applyTheme, rememberedTheme, useTheme } from "./theme";

beforeEach(() => {
  localStorage.clear();
  delete document.documentElement.dataset.theme;
});

afterEach(() => {
  cleanup();
});

function Probe({ api }: { api: Pick<SyncApi, "getSettings"> }) {
  useTheme(api);
  return null;
}

describe("applyTheme", () => {
  it("sets data-theme on <html> and remembers it", () => {
    applyTheme("dark");
    expect(document.documentElement.dataset.theme).toBe("dark");
    expect(rememberedTheme()).toBe("dark");
    applyTheme("system");
    expect(document.documentElement.dataset.theme).toBe("system");
  });

  it("remembers nothing odd", () => {
    localStorage.setItem("syncer.theme", "purple");
    expect(rememberedTheme()).toBe("system");
  });
});

describe("useTheme", () => {
  it("applies the remembered theme at once, then the saved setting", async () => {
    localStorage.setItem("syncer.theme", "dark");
    let answer: (value: Outcome<SettingsView>) => void = () => {};
    const api = {
      getSettings: () =>
        new Promise<Outcome<SettingsView>>((resolve) => {
          answer = resolve;
        }),
    };
    render(<Probe api={api} />);
    expect(document.documentElement.dataset.theme).toBe("dark");
    answer({ ok: true, value: settingsView({ theme: "light" }) });
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe("light"));
  });

  it("keeps the remembered theme when the settings cannot be read", async () => {
    localStorage.setItem("syncer.theme", "light");
    render(<Probe api={{ getSettings: async () => ({ ok: false, message: "unavailable" }) }} />);
    await Promise.resolve();
    expect(document.documentElement.dataset.theme).toBe("light");
  });
});
