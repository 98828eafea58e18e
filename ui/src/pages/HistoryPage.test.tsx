// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import {
  createSyncApi,
  SYNC_FINISHED_EVENT,
  SYNC_PROGRESS_EVENT,
  SYNC_STATUS_EVENT,
} from "../api/sync";
import { fakeShell } from "../test/fakeConnections";
import {
  callsOf,
  entry,
  fakeSyncShell,
  hubStatus,
  lastCall,
  NOW_MS,
  summary,
} from "../test/fakeSync";
import { HistoryPage } from "./HistoryPage";

afterEach(() => {
  cleanup();
});

const now = () => NOW_MS;

async function renderPage(options: Parameters<typeof fakeSyncShell>[0] = {}) {
  const setup = fakeSyncShell(options);
  render(<HistoryPage api={setup.api} now={now} />);
  await screen.findByTestId("history-list");
  return setup;
}

function entries() {
  return screen.getAllByTestId("history-entry");
}

function select(label: string, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe("HistoryPage", () => {
  it("lists the syncs newest first, with their status in words and their numbers", async () => {
    const { shell } = await renderPage();
    const [first, second, third] = entries();
    if (first === undefined || second === undefined || third === undefined) {
      throw new Error("expected three entries");
    }

    expect(within(first).getByRole("heading", { name: "Liked Songs" })).toBeTruthy();
    expect(within(first).getByTestId("sync-status").textContent).toContain("Completed");
    const started = within(first).getByText("5 minutes ago");
    expect(started.tagName).toBe("TIME");
    expect(started.getAttribute("dateTime")).toBe("2026-03-01T11:55:00.000Z");
    expect(started.getAttribute("title")).toMatch(/2026/);
    const stats = first.querySelector("dl");
    expect(stats?.textContent).toContain("Took1.2 s");
    expect(stats?.textContent).toContain("Added12");
    expect(stats?.textContent).toContain("Removed3");
    expect(stats?.textContent).toContain("Requests40");
    expect(stats?.textContent).toContain("Cache hits85%");

    expect(within(second).getByTestId("sync-status").textContent).toContain("Failed");
    expect(within(second).getByText("the service answered 503")).toBeTruthy();
    expect(within(third).getByTestId("sync-status").textContent).toContain("Cancelled");
    // No report: only the time it took, from its start and end.
    expect(third.querySelector("dl")?.textContent).toBe("Took2.0 s");

    expect(callsOf(shell, "list_history")).toEqual([{ base: null, status: null, limit: 100 }]);
  });

  it("shows local times from the shell and lists an interrupted sync inside the run that completed it", async () => {
    const interrupted = entry({
      id: "e6",
      status: "failed",
      started_local: "2026-12-03 20:02 CET",
      completed_by: "e7",
      error: "interrupted: Syncer stopped during this sync",
      summary: summary({ added: 4, removed: 1, status: "failed" }),
    });
    await renderPage({
      history: [
        entry({ id: "e7", started_local: "2026-12-03 20:30 CET", completes: [interrupted] }),
      ],
    });
    const [run] = entries() as [HTMLElement];
    expect(entries()).toHaveLength(1);
    expect(within(run).getByTestId("history-local-time").textContent).toBe("2026-12-03 20:30 CET");
    const parts = within(run).getAllByTestId("history-completed-part");
    expect(parts).toHaveLength(1);
    const part = parts[0] as HTMLElement;
    expect(part.textContent).toContain("Sync e6");
    expect(part.textContent).toContain("started 2026-12-03 20:02 CET");
    expect(part.textContent).toContain("4 added, 1 removed before it stopped");
    expect(within(run).getByTestId("history-completes").textContent).toContain(
      "completed an interrupted sync of Liked Songs",
    );
  });

  it("offers no Retry on an interrupted sync that a later run completed", async () => {
    await renderPage({
      history: [entry({ id: "e6", status: "failed", completed_by: "e9" })],
    });
    const [only] = entries() as [HTMLElement];
    expect(within(only).queryByRole("button", { name: /retry/i })).toBeNull();
    expect(within(only).getByText("Completed by sync e9")).toBeTruthy();
  });

  it("filters by status through the shell", async () => {
    const { shell } = await renderPage();
    select("Status", "failed");
    await waitFor(() => expect(entries()).toHaveLength(1));
    expect(within(entries()[0] as HTMLElement).getByText("Discover Weekly")).toBeTruthy();
    expect(lastCall(shell, "list_history")).toEqual({
      base: null,
      status: "failed",
      limit: 100,
    });

    select("Status", "in_progress");
    expect(await screen.findByTestId("history-no-match")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Show all syncs" }));
    await waitFor(() => expect(entries()).toHaveLength(3));
    expect((screen.getByLabelText("Status") as HTMLSelectElement).value).toBe("all");
  });

  it("filters by base, offering each base the history has, even while filtered", async () => {
    const { shell } = await renderPage();
    const options = () =>
      within(screen.getByLabelText("Base playlist"))
        .getAllByRole("option")
        .map((o) => o.textContent);
    expect(options()).toEqual(["All base playlists", "Discover Weekly", "Liked Songs"]);

    select("Base playlist", "b1");
    await waitFor(() => expect(entries()).toHaveLength(2));
    expect(lastCall(shell, "list_history")).toEqual({ base: "b1", status: null, limit: 100 });
    expect(options()).toEqual(["All base playlists", "Discover Weekly", "Liked Songs"]);
  });

  it("offers Retry on failed and cancelled syncs only, and retries through the shell", async () => {
    const { shell } = await renderPage();
    const [completed, failed, cancelled] = entries() as [HTMLElement, HTMLElement, HTMLElement];
    expect(within(completed).queryByRole("button", { name: /retry/i })).toBeNull();
    expect(within(cancelled).getByRole("button", { name: /retry/i })).toBeTruthy();

    fireEvent.click(
      within(failed).getByRole("button", { name: "Retry the sync of Discover Weekly" }),
    );
    expect((await screen.findByTestId("history-notice")).textContent).toContain(
      "Syncing “Discover Weekly” again",
    );
    expect(callsOf(shell, "retry_sync")).toEqual([{ event: "e2" }]);
    // The list is read again, to show the new sync.
    await waitFor(() => expect(callsOf(shell, "list_history")).toHaveLength(2));
  });

  it("says so when the base is already syncing, and shows other failures as an alert", async () => {
    const { shell } = await renderPage({
      handlers: {
        retry_sync: () =>
          Promise.reject({
            message: "Discover Weekly is already syncing",
            code: "sync_in_progress",
          }),
      },
    });
    const failed = entries()[1] as HTMLElement;
    fireEvent.click(within(failed).getByRole("button", { name: /retry/i }));
    expect((await screen.findByTestId("history-notice")).textContent).toContain("already syncing");

    shell.handlers.retry_sync = () => Promise.reject({ message: "no sync e2 in the history" });
    fireEvent.click(within(failed).getByRole("button", { name: /retry/i }));
    expect((await screen.findByRole("alert")).textContent).toContain("no sync e2 in the history");
    fireEvent.click(screen.getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("expands each sync's children with a disclosure button", async () => {
    await renderPage();
    const first = entries()[0] as HTMLElement;
    const toggle = within(first).getByRole("button", { name: "Show 2 children" });
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    const region = document.getElementById(toggle.getAttribute("aria-controls") ?? "");
    expect(region?.hidden).toBe(true);

    fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    expect(toggle.textContent).toBe("Hide 2 children");
    expect(region?.hidden).toBe(false);
    const table = within(first).getByRole("table");
    const rows = within(table).getAllByRole("row");
    expect(rows.map((r) => r.textContent)).toEqual([
      "ChildAddedRemovedYour tracks keptNotes",
      "Chill1012—None",
      "Workout220capped at 50 tracks",
    ]);

    // A child's own error is shown with the word, not only in red.
    const failed = entries()[1] as HTMLElement;
    fireEvent.click(within(failed).getByRole("button", { name: "Show 1 child" }));
    expect(within(failed).getByText("Error: the service answered 503")).toBeTruthy();
  });

  it("reads the history again when a sync finishes, and announces a retried one", async () => {
    const { shell, state } = await renderPage();
    fireEvent.click(within(entries()[1] as HTMLElement).getByRole("button", { name: /retry/i }));
    await screen.findByTestId("history-notice");

    state.history = [
      entry({ id: "e4", base: "b2", base_name: "Discover Weekly", started_at: NOW_MS / 1000 }),
      ...state.history,
    ];
    const before = callsOf(shell, "list_history").length;
    act(() => {
      shell.emit(
        SYNC_FINISHED_EVENT,
        summary({ base: "b2", base_name: "Discover Weekly", headline: "2 added, 0 removed" }),
      );
    });
    await waitFor(() => expect(entries()).toHaveLength(4));
    expect(callsOf(shell, "list_history").length).toBeGreaterThan(before);
    expect(screen.getByTestId("history-notice").textContent).toBe(
      "“Discover Weekly”: 2 added, 0 removed",
    );
  });

  it("lists a sync that starts elsewhere and shows its progress live until it ends", async () => {
    const { shell, state } = await renderPage();
    const running = entry({
      id: "e5",
      base: "b2",
      base_name: "Discover Weekly",
      status: "in_progress",
      started_at: NOW_MS / 1000,
      finished_at: null,
      // The shell sends the report so far; its numbers wait for the result.
      summary: summary(),
    });
    state.history = [running, ...state.history];
    act(() => {
      shell.emit(SYNC_STATUS_EVENT, hubStatus({ running: ["b2"], tray: "syncing" }));
    });
    await waitFor(() => expect(entries()).toHaveLength(4));
    const first = entries()[0] as HTMLElement;
    expect(within(first).getByTestId("sync-status").textContent).toContain("In progress");
    expect(within(first).getByTestId("sync-progress").textContent).toContain("Starting");
    // Numbers come with the result, not zeros while it runs.
    expect(first.querySelector("dl")?.textContent).toBe("Tookstill running");

    act(() => {
      shell.emit(SYNC_PROGRESS_EVENT, {
        base: "b2",
        stage: "reading_base",
        label: "Reading the base playlist",
        done: 3,
        total: 4,
        eta_seconds: 12,
      });
    });
    const bar = within(entries()[0] as HTMLElement).getByTestId("sync-progress");
    expect(bar.textContent).toContain("Reading the base playlist — 75%");
    expect(bar.textContent).toContain("about 12 s left");
    expect(
      within(bar).getByRole("progressbar", { name: "Sync progress of Discover Weekly" }),
    ).toBeTruthy();
    // Only the running entry shows a bar.
    expect(screen.getAllByTestId("sync-progress")).toHaveLength(1);

    state.history = [
      { ...running, status: "completed", finished_at: NOW_MS / 1000 + 2, summary: summary() },
      ...state.history.slice(1),
    ];
    act(() => {
      shell.emit(SYNC_FINISHED_EVENT, summary({ base: "b2", base_name: "Discover Weekly" }));
    });
    await waitFor(() => expect(screen.queryByTestId("sync-progress")).toBeNull());
    expect(within(entries()[0] as HTMLElement).getByTestId("sync-status").textContent).toContain(
      "Completed",
    );
  });

  it("keeps the empty state when there has been no sync", async () => {
    const { api } = fakeSyncShell({ history: [] });
    render(<HistoryPage api={api} now={now} />);
    const empty = await screen.findByTestId("empty-state");
    expect(within(empty).getByRole("heading", { name: "No syncs yet" })).toBeTruthy();
    expect(screen.queryByLabelText("Status")).toBeNull();
  });

  it("shows the empty state, and no request, outside the desktop app", () => {
    const shell = fakeShell({}, false);
    render(<HistoryPage api={createSyncApi(shell.bridge)} now={now} />);
    expect(screen.getByTestId("empty-state").textContent).toContain("this preview has none");
    expect(shell.calls).toEqual([]);
  });

  it("shows a failed read as an alert with a way to try again", async () => {
    const { api, shell } = fakeSyncShell({
      handlers: { list_history: () => Promise.reject("the database is locked") },
    });
    render(<HistoryPage api={api} now={now} />);
    expect((await screen.findByTestId("history-error")).textContent).toContain(
      "the database is locked",
    );
    shell.handlers.list_history = () => [entry()];
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(entries()).toHaveLength(1));
  });

  it("asks for older syncs when a whole page came back", async () => {
    const history = Array.from({ length: 5 }, (_, i) =>
      entry({ id: `e${i}`, started_at: NOW_MS / 1000 - i * 60 }),
    );
    const { api, shell } = fakeSyncShell({ history });
    render(<HistoryPage api={api} now={now} pageSize={3} />);
    await waitFor(() => expect(entries()).toHaveLength(3));
    fireEvent.click(screen.getByRole("button", { name: "Show older syncs" }));
    await waitFor(() => expect(entries()).toHaveLength(5));
    expect(lastCall(shell, "list_history")).toEqual({ base: null, status: null, limit: 6 });
    expect(screen.queryByRole("button", { name: "Show older syncs" })).toBeNull();
  });
});
