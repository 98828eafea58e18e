// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { createGenresApi, type UserGenresView } from "../api/genres";
import { fakeShell } from "../test/fakeConnections";
import { YourGenres } from "./YourGenres";

afterEach(() => {
  cleanup();
});

const SLOWDIVE = "0OdUWJ0sBjDrqHygGUXeCF";
const MBV = "3G3Gdm0ZRAOxLrbyjfhii5";

function tagged(artist: string, name: string | null, genres: string[]): UserGenresView {
  return { artist, name, genres, updated_at: 1_700_000_000 };
}

/** A shell holding the user's genres like the store does: a command changes what list answers. */
function genresShell(initial: UserGenresView[]) {
  let all = initial.map((g) => ({ ...g, genres: [...g.genres] }));
  const shell = fakeShell({
    list_user_genres: () => all,
    tag_artist: (args) => {
      const artist = String(args.artist);
      const genres = (args.genres as string[]).map((g) => g.trim()).filter((g) => g !== "");
      const known = all.find((g) => g.artist === artist || g.name === artist);
      if (artist === "Nobody") {
        throw {
          message:
            'no artist named "Nobody" in your base playlists; give the artist\'s Spotify id or link (open.spotify.com/artist/…) instead',
          code: "not_found",
        };
      }
      if (known === undefined) {
        const added = tagged(MBV, artist, genres);
        all = [...all, added];
        return added;
      }
      known.genres = [...known.genres, ...genres.filter((g) => !known.genres.includes(g))];
      return known;
    },
    untag_artist: (args) => {
      const known = all.find((g) => g.artist === args.artist);
      if (known === undefined) {
        throw { message: "you have not tagged it", code: "not_found" };
      }
      known.genres = args.genre === null ? [] : known.genres.filter((g) => g !== args.genre);
      if (known.genres.length === 0) {
        all = all.filter((g) => g !== known);
        return null;
      }
      return known;
    },
  });
  return { shell, api: createGenresApi(shell.bridge) };
}

function fill(label: string, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe("YourGenres", () => {
  it("lists tagged artists with their genres as removable chips", async () => {
    const { api } = genresShell([
      tagged(SLOWDIVE, "Slowdive", ["shoegaze", "dream pop"]),
      tagged(MBV, null, ["noise pop"]),
    ]);
    render(<YourGenres api={api} />);
    const list = await screen.findByRole("list", { name: "Artists you tagged" });
    const artists = within(list).getAllByTestId("genres-artist");
    expect(artists).toHaveLength(2);
    const slowdive = within(list).getByRole("list", { name: "Your genres for Slowdive" });
    expect(
      within(slowdive)
        .getAllByRole("listitem")
        .map((li) => li.textContent),
    ).toEqual(["shoegaze×", "dream pop×"]);
    expect(
      screen.getByRole("button", { name: "Remove genre dream pop from Slowdive" }),
    ).toBeTruthy();
    expect(screen.getByRole("button", { name: "Remove all genres from Slowdive" })).toBeTruthy();
    // An artist tagged by id alone is shown by its id.
    expect(screen.getByRole("button", { name: `Remove genre noise pop from ${MBV}` })).toBeTruthy();
    expect(screen.queryByTestId("genres-empty")).toBeNull();
  });

  it("explains what your genres are for when there are none", async () => {
    const { api } = genresShell([]);
    render(<YourGenres api={api} />);
    const empty = await screen.findByTestId("genres-empty");
    expect(empty.textContent).toContain("You have not tagged any artist yet");
    expect(empty.textContent).toContain("genre:shoegaze use it next sync");
    expect(screen.queryByRole("list", { name: "Artists you tagged" })).toBeNull();
  });

  it("adds genres to an artist typed by name, then lists them", async () => {
    const { api, shell } = genresShell([]);
    render(<YourGenres api={api} />);
    await screen.findByTestId("genres-empty");
    const add = screen.getByRole("button", { name: "Add" }) as HTMLButtonElement;
    expect(add.disabled).toBe(true);
    fill("Artist", "  My Bloody Valentine ");
    fill("Genres", "shoegaze, noise pop");
    expect(add.disabled).toBe(false);
    fireEvent.submit(add.closest("form") as HTMLFormElement);
    expect((await screen.findByTestId("genres-notice")).textContent).toContain(
      "My Bloody Valentine now has your genres shoegaze, noise pop",
    );
    expect(shell.calls.find((c) => c.command === "tag_artist")?.args).toEqual({
      artist: "My Bloody Valentine",
      genres: ["shoegaze", "noise pop"],
    });
    await screen.findByRole("button", { name: "Remove genre noise pop from My Bloody Valentine" });
    // The form is ready for the next artist.
    expect((screen.getByLabelText("Artist") as HTMLInputElement).value).toBe("");
    expect((screen.getByLabelText("Genres") as HTMLInputElement).value).toBe("");
  });

  it("says what to type instead when the artist cannot be found, keeping what was typed", async () => {
    const { api } = genresShell([]);
    render(<YourGenres api={api} />);
    await screen.findByTestId("genres-empty");
    fill("Artist", "Nobody");
    fill("Genres", "shoegaze");
    fireEvent.click(screen.getByRole("button", { name: "Add" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("could not find that artist");
    expect(alert.textContent).toContain("Spotify id or link");
    const input = screen.getByLabelText("Artist") as HTMLInputElement;
    expect(input.value).toBe("Nobody");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(input);
    // Typing again clears the complaint.
    fill("Artist", "0OdUWJ0sBjDrqHygGUXeCF");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("removes one genre, moving the focus to the chip that took its place, and can undo", async () => {
    const { api, shell } = genresShell([tagged(SLOWDIVE, "Slowdive", ["shoegaze", "dream pop"])]);
    render(<YourGenres api={api} />);
    fireEvent.click(
      await screen.findByRole("button", { name: "Remove genre shoegaze from Slowdive" }),
    );
    expect((await screen.findByTestId("genres-notice")).textContent).toContain(
      "Removed “shoegaze” from Slowdive",
    );
    await waitFor(() =>
      expect(
        screen.queryByRole("button", { name: "Remove genre shoegaze from Slowdive" }),
      ).toBeNull(),
    );
    expect(shell.calls.find((c) => c.command === "untag_artist")?.args).toEqual({
      artist: SLOWDIVE,
      genre: "shoegaze",
    });
    const left = screen.getByRole("button", { name: "Remove genre dream pop from Slowdive" });
    await waitFor(() => expect(document.activeElement).toBe(left));

    fireEvent.click(screen.getByRole("button", { name: "Undo" }));
    await screen.findByRole("button", { name: "Remove genre shoegaze from Slowdive" });
    expect(shell.calls[shell.calls.length - 2]).toEqual({
      command: "tag_artist",
      args: { artist: SLOWDIVE, genres: ["shoegaze"] },
    });
  });

  it("puts back a removed genre with a comma in it as one genre", async () => {
    // Possible through `syncer genres tag`, which takes each genre as its own argument.
    const { api, shell } = genresShell([tagged(SLOWDIVE, "Slowdive", ["rock, alt", "dream pop"])]);
    render(<YourGenres api={api} />);
    fireEvent.click(
      await screen.findByRole("button", { name: "Remove genre rock, alt from Slowdive" }),
    );
    fireEvent.click(await screen.findByRole("button", { name: "Undo" }));
    await screen.findByRole("button", { name: "Remove genre rock, alt from Slowdive" });
    expect(screen.queryByRole("button", { name: "Remove genre rock from Slowdive" })).toBeNull();
    expect(shell.calls.filter((c) => c.command === "tag_artist").map((c) => c.args)).toEqual([
      { artist: SLOWDIVE, genres: ["rock, alt"] },
    ]);
  });

  it("removes all of an artist's genres, leaving the empty state and the focus in the form", async () => {
    const { api, shell } = genresShell([tagged(SLOWDIVE, "Slowdive", ["shoegaze", "dream pop"])]);
    render(<YourGenres api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: "Remove all genres from Slowdive" }));
    // It asks first; Escape takes the question back, focus returning to "Remove all".
    const question = screen.getByRole("group", {
      name: "Remove all 2 of your genres from Slowdive?",
    });
    expect(document.activeElement).toBe(
      within(question).getByRole("button", { name: "Yes, remove all" }),
    );
    fireEvent.keyDown(question, { key: "Escape" });
    const all = screen.getByRole("button", { name: "Remove all genres from Slowdive" });
    await waitFor(() => expect(document.activeElement).toBe(all));
    expect(shell.calls.some((c) => c.command === "untag_artist")).toBe(false);
    fireEvent.click(all);
    fireEvent.click(screen.getByRole("button", { name: "Yes, remove all" }));
    expect((await screen.findByTestId("genres-notice")).textContent).toContain(
      "Removed all your genres from Slowdive",
    );
    await screen.findByTestId("genres-empty");
    expect(shell.calls.find((c) => c.command === "untag_artist")?.args).toEqual({
      artist: SLOWDIVE,
      genre: null,
    });
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText("Artist")));
  });

  it("refreshes the list when a genre was already removed elsewhere", async () => {
    const { api, shell } = genresShell([tagged(SLOWDIVE, "Slowdive", ["shoegaze"])]);
    render(<YourGenres api={api} />);
    const remove = await screen.findByRole("button", {
      name: "Remove genre shoegaze from Slowdive",
    });
    // Another device (or `syncer genres untag`) got there first.
    shell.handlers.list_user_genres = () => [];
    shell.handlers.untag_artist = () => {
      throw { message: "you have not tagged Slowdive", code: "not_found" };
    };
    fireEvent.click(remove);
    expect((await screen.findByRole("alert")).textContent).toContain(
      "Slowdive has none of your genres any more",
    );
    await screen.findByTestId("genres-empty");
  });

  it("shows a failed read as an alert with a way to try again", async () => {
    const shell = fakeShell({
      list_user_genres: () => {
        throw { message: "the database is locked", code: "store" };
      },
    });
    render(<YourGenres api={createGenresApi(shell.bridge)} />);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("the database is locked");
    shell.handlers.list_user_genres = () => [];
    fireEvent.click(within(alert).getByRole("button", { name: "Try again" }));
    await screen.findByTestId("genres-empty");
  });

  it("outside the desktop app, says so and leaves the form disabled", () => {
    const shell = fakeShell({}, false);
    render(<YourGenres api={createGenresApi(shell.bridge)} />);
    expect(screen.getByTestId("genres-unavailable")).toBeTruthy();
    expect((screen.getByLabelText("Artist") as HTMLInputElement).disabled).toBe(true);
    expect(shell.calls).toEqual([]);
  });
});
