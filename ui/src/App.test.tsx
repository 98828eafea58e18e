// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { App } from "./App";
import type { AppInfoResult } from "./api/appInfo";
import { ROUTES, routeLabel } from "./routes";

const unavailable = (): Promise<AppInfoResult> => Promise.resolve({ kind: "unavailable" });

beforeEach(() => {
  window.location.hash = "";
});

afterEach(() => {
  cleanup();
});

describe("App", () => {
  it("opens on Connections with every navigation entry", () => {
    render(<App loadAppInfo={unavailable} />);
    expect(screen.getByTestId("page-title").textContent).toBe("Connections");
    for (const route of ROUTES) {
      expect(screen.getByTestId(`nav-${route}`)).toBeTruthy();
    }
    expect(screen.getByTestId("nav-connections").getAttribute("aria-current")).toBe("page");
    expect(screen.getByRole("navigation", { name: "Main" })).toBeTruthy();
  });

  it("switches the page from every navigation entry", async () => {
    render(<App loadAppInfo={unavailable} />);
    for (const route of [...ROUTES].reverse()) {
      // A real click on the hash link: the browser (here jsdom) updates the hash and fires
      // `hashchange` a moment later, which is what the app listens to.
      fireEvent.click(screen.getByTestId(`nav-${route}`));
      await waitFor(() =>
        expect(screen.getByTestId("page-title").textContent).toBe(routeLabel(route)),
      );
      // Something under the title: an empty state or the page's own sections.
      const sections = screen.getByRole("main").querySelectorAll("section");
      expect(sections.length).toBeGreaterThan(0);
      expect(sections[0]?.textContent?.trim()).not.toBe("");
      const current = ROUTES.filter(
        (r) => screen.getByTestId(`nav-${r}`).getAttribute("aria-current") === "page",
      );
      expect(current).toEqual([route]);
    }
  });

  it("shows where the data lives on Settings", async () => {
    window.location.hash = "#/settings";
    const info = {
      version: "0.1.0",
      dataDir: "/tmp/syncer-data",
      logDir: "/tmp/syncer-data/logs",
      databasePath: "/tmp/syncer-data/syncer.db",
    };
    render(<App loadAppInfo={() => Promise.resolve({ kind: "ok", info })} />);
    const list = await screen.findByTestId("app-info");
    expect(within(list).getByText("/tmp/syncer-data")).toBeTruthy();
    expect(within(list).getByText("/tmp/syncer-data/syncer.db")).toBeTruthy();
    expect(within(list).getByText("/tmp/syncer-data/logs")).toBeTruthy();
  });

  it("explains, rather than crashes, when not inside the desktop app", async () => {
    window.location.hash = "#/settings";
    render(<App />);
    expect(await screen.findByTestId("app-info-unavailable")).toBeTruthy();
  });

  it("shows a database the app could not open as an alert beside the paths", async () => {
    window.location.hash = "#/settings";
    const info = {
      version: "0.1.0",
      dataDir: "/tmp/syncer-data",
      logDir: "/tmp/syncer-data/logs",
      databasePath: "/tmp/syncer-data/syncer.db",
      databaseError: "The database file is damaged; move it aside and restart Syncer.",
    };
    render(<App loadAppInfo={() => Promise.resolve({ kind: "ok", info })} />);
    expect((await screen.findByRole("alert")).textContent).toContain("damaged");
    expect(screen.getByTestId("app-info")).toBeTruthy();
  });

  it("shows a failed lookup as an alert", async () => {
    window.location.hash = "#/settings";
    render(
      <App loadAppInfo={() => Promise.resolve({ kind: "error", message: "command not found." })} />,
    );
    expect((await screen.findByRole("alert")).textContent).toContain("command not found.");
  });
});
