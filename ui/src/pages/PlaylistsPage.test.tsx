// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { type BaseView, createLibraryApi, type PreviewView } from "../api/library";
import { createSyncApi, SYNC_FINISHED_EVENT, SYNC_PROGRESS_EVENT } from "../api/sync";
import type { CloudLiveEvent } from "../bindings/CloudLiveEvent";
import type { SyncSummary } from "../bindings/SyncSummary";
import { fakeFilters } from "../filters/fakeFilters";
import { fakeShell } from "../test/fakeConnections";
import { PlaylistsPage } from "./PlaylistsPage";

afterEach(() => {
  cleanup();
});

function base(overrides: Partial<BaseView> = {}): BaseView {
  return {
    id: "base1",
    connection: "demo-42-ext-600",
    connection_name: "Demo library",
    name: "Golden Mix",
    routing: "independent",
    catch_all: null,
    schedule: "manual",
    last_synced_at: null,
    syncing: false,
    children: [
      {
        id: "c1",
        name: "Rock",
        query: "genre:rock",
        mirror: "keep_user_tracks",
        allow_empty: false,
        page: { kind: "none", reason: "demo" },
      },
    ],
    page: { kind: "none", reason: "demo" },
    ...overrides,
  };
}

const PREVIEW: PreviewView = {
  base: "base1",
  tracks: 600,
  children: [
    {
      id: "draft",
      name: "Calm",
      count: 42,
      unknown: 0,
      sample: ["Ada — Quiet"],
      problems: [],
      note: null,
    },
  ],
  unrouted: 17,
  unrouted_sample: ["Bo — Loud"],
  skipped: [],
};

function setup(bases: BaseView[]) {
  const state = { bases };
  const filters = fakeFilters();
  const shell = fakeShell({
    list_bases: () => state.bases,
    list_connections: () => [],
    set_up_demo: () => {
      state.bases = [base()];
      return { connection: "demo-42-ext-600", base: "base1", children: 5 };
    },
    preview_draft: () => PREVIEW,
    preview: () => PREVIEW,
    add_child: (args) => {
      const input = args.input as { target: { name: string }; query: string };
      const b = state.bases[0];
      if (b !== undefined) {
        b.children.push({
          id: "c2",
          name: input.target.name,
          query: input.query,
          mirror: "keep_user_tracks",
          allow_empty: false,
          page: { kind: "none", reason: "demo" },
        });
      }
      return b?.children[b.children.length - 1];
    },
    sync_base: () => null,
    undo_sync: (args) => ({
      event: "7",
      children: [
        {
          id: "c1",
          name: "Rock",
          tracks: 12,
          kept_added_by_hand: args.dropAddedByHand === true ? 0 : 2,
        },
      ],
    }),
    set_schedule: (args) => {
      const b = state.bases[0];
      if (b !== undefined) {
        b.schedule = String(args.schedule);
      }
      return b;
    },
  });
  const page = (
    <PlaylistsPage
      api={createLibraryApi(shell.bridge)}
      syncApi={createSyncApi(shell.bridge)}
      filtersApi={filters.api}
    />
  );
  return { shell, state, page, filters };
}

describe("PlaylistsPage", () => {
  it("opens a base and a child in Spotify through the shell, and says the demo has no page", async () => {
    const spotify = base({
      name: "Liked Songs",
      connection_name: "Spotify",
      page: { kind: "web", url: "https://open.spotify.com/collection/tracks" },
      children: [
        {
          id: "c1",
          name: "Rock",
          query: "genre:rock",
          mirror: "keep_user_tracks",
          allow_empty: false,
          page: { kind: "web", url: "https://open.spotify.com/playlist/c1" },
        },
      ],
    });
    const { shell, page } = setup([spotify]);
    shell.handlers.open_in_service = () => null;
    render(page);
    fireEvent.click(await screen.findByRole("button", { name: "Open Liked Songs in Spotify" }));
    fireEvent.click(screen.getByRole("button", { name: "Open Rock in Spotify" }));
    await waitFor(() =>
      expect(shell.calls.filter((c) => c.command === "open_in_service").map((c) => c.args)).toEqual(
        [{ what: { kind: "base", base: "base1" } }, { what: { kind: "child", child: "c1" } }],
      ),
    );
    expect(screen.queryByTestId("no-service-page")).toBeNull();
  });

  it("shows no broken link for the demo library", async () => {
    const { page } = setup([base()]);
    render(page);
    const notes = await screen.findAllByTestId("no-service-page");
    expect(notes.map((n) => n.textContent)).toEqual([
      "Demo library: no Spotify page",
      "Demo library: no Spotify page",
    ]);
    expect(screen.queryByRole("button", { name: /in Spotify/ })).toBeNull();
  });

  it("shows a base that arrives from another device through the cloud's live events", async () => {
    const { shell, state } = setup([]);
    let live: ((event: CloudLiveEvent) => void) | null = null;
    const cloudApi = {
      onLive: async (handler: (event: CloudLiveEvent) => void) => {
        live = handler;
        return () => {};
      },
    };
    render(
      <PlaylistsPage
        api={createLibraryApi(shell.bridge)}
        syncApi={createSyncApi(shell.bridge)}
        cloudApi={cloudApi}
      />,
    );
    await screen.findByRole("button", { name: "Set up the demo library" });
    await waitFor(() => expect(live).not.toBeNull());
    // Connected, nothing new: no reading again.
    const reads = () => shell.calls.filter((c) => c.command === "list_bases").length;
    const before = reads();
    act(() => live?.({ state: "live", changed: false, message: null }));
    expect(reads()).toBe(before);
    state.bases = [base({ name: "Road trip" })];
    act(() => live?.({ state: "live", changed: true, message: null }));
    expect(await screen.findByRole("heading", { name: "Road trip" })).toBeTruthy();
  });

  it("offers the demo library on first run and shows the base it made", async () => {
    const { shell, page } = setup([]);
    render(page);
    const offer = await screen.findByRole("button", { name: "Set up the demo library" });
    fireEvent.click(offer);
    expect(await screen.findByRole("heading", { name: "Golden Mix" })).toBeTruthy();
    expect(shell.calls.some((c) => c.command === "set_up_demo")).toBe(true);
    expect(screen.getAllByTestId("child-card")).toHaveLength(1);
  });

  it("creates a child with a live preview of what it would take", async () => {
    const { shell, page } = setup([base()]);
    render(page);
    fireEvent.click(await screen.findByRole("button", { name: "Add a child" }));
    const editor = await screen.findByTestId("child-editor");
    const create = within(editor).getByRole("button", { name: "Create child" });
    // No name yet: nothing to create.
    expect((create as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(within(editor).getByLabelText("Name"), { target: { value: "Calm" } });
    await waitFor(() => expect(within(editor).getByTestId("preview-count").textContent).toBe("42"));
    expect(within(editor).getByTestId("preview-unrouted").textContent).toContain("17");
    fireEvent.click(create);
    await waitFor(() => expect(screen.getAllByTestId("child-card")).toHaveLength(2));
    const call = shell.calls.find((c) => c.command === "add_child");
    expect(call?.args.input).toMatchObject({
      base: "base1",
      target: { kind: "create", name: "Calm" },
    });
  });

  it("disables edits while the base syncs, says why, and shows progress then the result", async () => {
    const { shell, state, page } = setup([base({ syncing: true })]);
    render(page);
    const edit = await screen.findByRole("button", { name: "Edit Rock" });
    expect((edit as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByRole("button", { name: "Add a child" }).getAttribute("title")).toMatch(
      /Syncing: edits are paused/,
    );
    act(() => {
      shell.emit(SYNC_PROGRESS_EVENT, {
        base: "base1",
        stage: "writing",
        label: "Writing the children",
        done: 3,
        total: 4,
        eta_seconds: 2,
      });
    });
    expect(screen.getByTestId("sync-progress").textContent).toContain("Writing the children — 75%");
    state.bases = [base()];
    const summary: SyncSummary = {
      base: "base1",
      base_name: "Golden Mix",
      status: "completed",
      unchanged: false,
      tracks: 600,
      added: 120,
      removed: 0,
      unrouted: 17,
      requests: 30,
      cache_hit_rate: 0,
      duration_ms: 900,
      children: [],
      error: null,
      headline: "120 added, 0 removed across 1 children (0.9 s)",
    };
    act(() => {
      shell.emit(SYNC_FINISHED_EVENT, summary);
    });
    expect((await screen.findByTestId("sync-result")).textContent).toContain("120 added");
    await waitFor(() =>
      expect(
        (screen.getByRole("button", { name: "Edit Rock" }) as HTMLButtonElement).disabled,
      ).toBe(false),
    );
  });

  it("undoes the last sync, keeping tracks added by hand since unless asked not to", async () => {
    const { shell, page } = setup([base()]);
    render(page);
    const undo = await screen.findByRole("button", { name: "Undo last sync" });
    fireEvent.click(undo);
    expect(await screen.findByText(/Rock has 12 tracks again \(2 you added by hand/)).toBeTruthy();
    fireEvent.click(screen.getByTestId("undo-drop-added-by-hand"));
    fireEvent.click(undo);
    await waitFor(() =>
      expect(shell.calls.filter((c) => c.command === "undo_sync").map((c) => c.args)).toEqual([
        { base: "base1", dropAddedByHand: false },
        { base: "base1", dropAddedByHand: true },
      ]),
    );
  });

  it("changes a base's schedule", async () => {
    const { shell, page } = setup([base()]);
    render(page);
    fireEvent.change(await screen.findByLabelText("Sync by itself"), {
      target: { value: "every 1h" },
    });
    await waitFor(() =>
      expect(shell.calls.find((c) => c.command === "set_schedule")?.args).toEqual({
        base: "base1",
        schedule: "every 1h",
      }),
    );
  });
});
