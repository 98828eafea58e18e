import { describe, expect, it } from "vitest";
import { fakeShell } from "../test/fakeConnections";
import { UNAVAILABLE_MESSAGE } from "./bridge";
import { createGenresApi, defaultGenresApi, splitGenres } from "./genres";

const slowdive = {
  artist: "0OdUWJ0sBjDrqHygGUXeCF",
  name: "Slowdive",
  genres: ["shoegaze"],
  updated_at: 1,
};

describe("createGenresApi", () => {
  it("is unavailable outside the desktop shell, without calling it", async () => {
    const shell = fakeShell({ list_user_genres: () => [slowdive] }, false);
    const api = createGenresApi(shell.bridge);
    expect(api.isAvailable()).toBe(false);
    expect(await api.list()).toEqual({ ok: false, message: UNAVAILABLE_MESSAGE });
    expect(shell.calls).toEqual([]);
    expect(defaultGenresApi.isAvailable()).toBe(false);
  });

  it("calls each command by name with its arguments, passing error codes on", async () => {
    const shell = fakeShell({
      list_user_genres: () => [slowdive],
      tag_artist: () => slowdive,
      untag_artist: () => {
        throw { message: "you have not tagged Slowdive", code: "not_found" };
      },
    });
    const api = createGenresApi(shell.bridge);
    expect(await api.list()).toEqual({ ok: true, value: [slowdive] });
    expect(await api.tag("Slowdive", ["shoegaze", "dream pop"])).toEqual({
      ok: true,
      value: slowdive,
    });
    expect(await api.untag(slowdive.artist, null)).toEqual({
      ok: false,
      message: "you have not tagged Slowdive",
      code: "not_found",
    });
    expect(shell.calls).toEqual([
      { command: "list_user_genres", args: {} },
      { command: "tag_artist", args: { artist: "Slowdive", genres: ["shoegaze", "dream pop"] } },
      { command: "untag_artist", args: { artist: slowdive.artist, genre: null } },
    ]);
  });
});

describe("splitGenres", () => {
  it("splits the field on commas, trimming and dropping blanks", () => {
    expect(splitGenres(" shoegaze, dream pop ,, noise pop ")).toEqual([
      "shoegaze",
      "dream pop",
      "noise pop",
    ]);
    expect(splitGenres(" , ")).toEqual([]);
  });
});
