// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AppInfoResult } from "../api/appInfo";
import { createGenresApi } from "../api/genres";
import { createSyncApi, SYNC_STATUS_EVENT } from "../api/sync";
import { fakeShell } from "../test/fakeConnections";
import {
  callsOf,
  DEFAULT_SETTINGS,
  fakeSyncShell,
  hubStatus,
  NOW_MS,
  settingsView,
} from "../test/fakeSync";
import { SettingsPage } from "./SettingsPage";

const unavailable = (): Promise<AppInfoResult> => Promise.resolve({ kind: "unavailable" });
const now = () => NOW_MS;

beforeEach(() => {
  localStorage.clear();
  delete document.documentElement.dataset.theme;
});

afterEach(() => {
  cleanup();
});

async function renderPage(options: Parameters<typeof fakeSyncShell>[0] = {}) {
  const setup = fakeSyncShell(options);
  render(<SettingsPage loadAppInfo={unavailable} api={setup.api} now={now} />);
  // Ready once the switches can be used.
  await waitFor(() =>
    expect((screen.getByLabelText("Sync in the background") as HTMLInputElement).disabled).toBe(
      false,
    ),
  );
  return setup;
}

function checkbox(label: string) {
  return screen.getByLabelText(label) as HTMLInputElement;
}

describe("SettingsPage", () => {
  it("keeps the Spotify Client ID form and the data locations", async () => {
    await renderPage();
    expect(screen.getByRole("heading", { name: "Spotify" })).toBeTruthy();
    expect(screen.getByTestId("settings-client-id")).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Where your data lives" })).toBeTruthy();
  });

  it("shows the saved switches, failures notified by default and successes not", async () => {
    await renderPage();
    expect(checkbox("Sync in the background").checked).toBe(true);
    expect(checkbox("Notify me when a sync fails").checked).toBe(true);
    expect(checkbox("Notify me when a sync succeeds").checked).toBe(false);
    expect(checkbox("Start Syncer when I log in").checked).toBe(false);
    expect(checkbox("Start minimised to the tray").checked).toBe(false);
    // Each switch says what it does.
    expect(checkbox("Start minimised to the tray").getAttribute("aria-describedby")).toBeTruthy();
  });

  it("saves each switch under the shell's name for it", async () => {
    const { shell, state } = await renderPage();
    fireEvent.click(checkbox("Sync in the background"));
    fireEvent.click(checkbox("Notify me when a sync fails"));
    fireEvent.click(checkbox("Notify me when a sync succeeds"));
    fireEvent.click(checkbox("Start minimised to the tray"));
    await waitFor(() => expect(callsOf(shell, "set_flag")).toHaveLength(4));
    expect(callsOf(shell, "set_flag")).toEqual([
      { setting: "background_sync", value: false },
      { setting: "notify_on_failure", value: false },
      { setting: "notify_on_success", value: true },
      { setting: "start_minimised", value: true },
    ]);
    expect(state.settings.settings).toMatchObject({
      background_sync: false,
      notify_on_failure: false,
      notify_on_success: true,
      start_minimised: true,
    });
    expect(checkbox("Notify me when a sync succeeds").checked).toBe(true);
  });

  it("turns start at login on through the desktop, and shows what the desktop did", async () => {
    const { shell } = await renderPage({
      handlers: { set_start_at_login: () => false },
    });
    fireEvent.click(checkbox("Start Syncer when I log in"));
    expect((await screen.findByRole("alert")).textContent).toContain("did not add");
    expect(callsOf(shell, "set_start_at_login")).toEqual([{ enabled: true }]);
    expect(checkbox("Start Syncer when I log in").checked).toBe(false);
  });

  it("puts a switch back, with an alert, when saving fails", async () => {
    await renderPage({
      handlers: { set_flag: () => Promise.reject({ message: "the database is read-only" }) },
    });
    fireEvent.click(checkbox("Notify me when a sync succeeds"));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("the database is read-only");
    expect(within(screen.getByTestId("settings-notifications")).getByRole("alert")).toBe(alert);
    expect(checkbox("Notify me when a sync succeeds").checked).toBe(false);
  });

  it("pauses and resumes background sync through the tray's action", async () => {
    const { shell } = await renderPage();
    const status = screen.getByTestId("background-status");
    await waitFor(() => expect(status.textContent).toBe("On. Next sync: in 30 minutes."));

    fireEvent.click(screen.getByRole("button", { name: "Pause background sync" }));
    await screen.findByRole("button", { name: "Resume background sync" });
    expect(status.textContent).toContain("Paused");
    expect(callsOf(shell, "tray_action")).toEqual([{ action: "toggle_pause" }]);

    // The tray can resume it too; the page follows the hub's status.
    act(() => shell.emit(SYNC_STATUS_EVENT, hubStatus({ running: ["b1"], next_sync_at: null })));
    expect(status.textContent).toBe("On. No sync is scheduled. Syncing 1 base playlist now.");
    expect(screen.getByRole("button", { name: "Pause background sync" })).toBeTruthy();

    // The tray says a sync failed: so does the page, with why.
    act(() =>
      shell.emit(
        SYNC_STATUS_EVENT,
        hubStatus({ next_sync_at: null, tray: "error", last_error: "the service answered 503" }),
      ),
    );
    expect(status.textContent).toBe(
      "On. No sync is scheduled. The last sync failed: the service answered 503",
    );
  });

  it("points to the Playlists page for each base's schedule", async () => {
    await renderPage();
    const link = within(screen.getByTestId("settings-background")).getByRole("link", {
      name: "Playlists",
    });
    expect(link.getAttribute("href")).toBe("#/playlists");
  });

  it("applies the chosen theme to the window and saves it", async () => {
    const { shell } = await renderPage();
    const system = screen.getByLabelText("Same as your system") as HTMLInputElement;
    expect(system.checked).toBe(true);
    fireEvent.click(screen.getByLabelText("Dark"));
    expect(document.documentElement.dataset.theme).toBe("dark");
    await waitFor(() => expect(callsOf(shell, "set_theme")).toEqual([{ theme: "dark" }]));
    expect((screen.getByLabelText("Dark") as HTMLInputElement).checked).toBe(true);

    fireEvent.click(screen.getByLabelText("Light"));
    expect(document.documentElement.dataset.theme).toBe("light");
    await waitFor(() => expect(callsOf(shell, "set_theme")).toHaveLength(2));
  });

  it("puts the theme back when it could not be saved", async () => {
    await renderPage({
      settings: settingsView({ theme: "light" }),
      handlers: { set_theme: () => Promise.reject("the database is read-only") },
    });
    fireEvent.click(screen.getByLabelText("Dark"));
    expect((await screen.findByRole("alert")).textContent).toContain("read-only");
    expect(document.documentElement.dataset.theme).toBe("light");
    expect((screen.getByLabelText("Light") as HTMLInputElement).checked).toBe(true);
  });

  it("exports all data and shows where it was written", async () => {
    await renderPage();
    fireEvent.click(screen.getByRole("button", { name: "Export all data" }));
    expect((await screen.findByTestId("export-path")).textContent).toBe(
      "/home/ada/Downloads/syncer-export-1772366400.json",
    );
  });

  it("opens the log folder", async () => {
    const { shell } = await renderPage();
    fireEvent.click(screen.getByRole("button", { name: "Open log folder" }));
    await waitFor(() => expect(callsOf(shell, "open_log_folder")).toHaveLength(1));
  });

  it("deletes all data only once the word delete is typed", async () => {
    const { shell } = await renderPage();
    const open = screen.getByRole("button", { name: "Delete all data…" });
    fireEvent.click(open);
    const word = screen.getByLabelText("Type “delete” to confirm");
    expect(document.activeElement).toBe(word);
    const confirm = screen.getByRole("button", { name: "Delete everything" }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);

    fireEvent.change(word, { target: { value: "delet" } });
    expect(confirm.disabled).toBe(true);
    fireEvent.submit(word);
    expect(callsOf(shell, "delete_all_data")).toEqual([]);

    fireEvent.change(word, { target: { value: "delete" } });
    expect(confirm.disabled).toBe(false);
    fireEvent.click(confirm);
    expect((await screen.findByTestId("delete-done")).textContent).toContain("was deleted");
    expect(callsOf(shell, "delete_all_data")).toEqual([{ confirm: "delete" }]);
    expect(screen.queryByLabelText("Type “delete” to confirm")).toBeNull();
    // The settings are read again, as they now are.
    await waitFor(() => expect(callsOf(shell, "get_settings")).toHaveLength(2));
  });

  it("cancels the deletion and says why one was refused", async () => {
    const { shell } = await renderPage({
      handlers: {
        delete_all_data: () =>
          Promise.reject({
            message: "A sync is running: cancel it or let it finish, then delete.",
            code: "sync_in_progress",
          }),
      },
    });
    const open = screen.getByRole("button", { name: "Delete all data…" });
    fireEvent.click(open);
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.queryByLabelText("Type “delete” to confirm")).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(open));

    fireEvent.click(open);
    const word = screen.getByLabelText("Type “delete” to confirm");
    fireEvent.change(word, { target: { value: " delete " } });
    fireEvent.click(screen.getByRole("button", { name: "Delete everything" }));
    expect((await screen.findByTestId("your-data-problem")).textContent).toContain(
      "Nothing was deleted: A sync is running",
    );
    expect(callsOf(shell, "delete_all_data")).toEqual([{ confirm: "delete" }]);
    // Still open, to try again once the sync is over.
    expect(screen.getByLabelText("Type “delete” to confirm")).toBeTruthy();
  });

  it("has a Your genres section beside Your data, listing what the shell answers", async () => {
    const genres = fakeShell({
      list_user_genres: () => [
        { artist: "0OdUWJ0sBjDrqHygGUXeCF", name: "Slowdive", genres: ["shoegaze"], updated_at: 1 },
      ],
    });
    const setup = fakeSyncShell();
    render(
      <SettingsPage
        loadAppInfo={unavailable}
        api={setup.api}
        genresApi={createGenresApi(genres.bridge)}
        now={now}
      />,
    );
    const section = screen.getByRole("region", { name: "Your genres" });
    expect(
      await within(section).findByRole("button", { name: "Remove genre shoegaze from Slowdive" }),
    ).toBeTruthy();
    // Just before Your data.
    expect(section.nextElementSibling).toBe(screen.getByTestId("your-data"));
  });

  it("outside the desktop app shows the defaults, disabled, and still switches the theme", () => {
    const shell = fakeShell({}, false);
    render(<SettingsPage loadAppInfo={unavailable} api={createSyncApi(shell.bridge)} now={now} />);
    expect(screen.getByTestId("settings-unavailable")).toBeTruthy();
    expect(checkbox("Notify me when a sync fails").checked).toBe(true);
    expect(checkbox("Notify me when a sync fails").disabled).toBe(true);
    expect(
      (screen.getByRole("button", { name: "Export all data" }) as HTMLButtonElement).disabled,
    ).toBe(true);
    fireEvent.click(screen.getByLabelText("Dark"));
    expect(document.documentElement.dataset.theme).toBe("dark");
    expect(shell.calls).toEqual([]);
  });

  it("shows settings that could not be read as an alert, with a way to try again", async () => {
    const { shell } = fakeSyncShell({
      handlers: { get_settings: () => Promise.reject("the database is locked") },
    });
    render(<SettingsPage loadAppInfo={unavailable} api={createSyncApi(shell.bridge)} now={now} />);
    expect((await screen.findByTestId("settings-error")).textContent).toContain("locked");
    shell.handlers.get_settings = () => DEFAULT_SETTINGS;
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(checkbox("Sync in the background").disabled).toBe(false));
  });
});
