import type { UserGenresView } from "../bindings/UserGenresView";
import { type Bridge, call, type Outcome, realBridge } from "./bridge";

// Generated from the Rust types in src-tauri/genres.rs by ts-rs; never written by hand.
export type { UserGenresView };

/** What the "Your genres" section asks of the shell (src-tauri/genres.rs). */
export type GenresApi = {
  isAvailable: () => boolean;
  /** Every artist you tagged, by name then id. */
  list: () => Promise<Outcome<UserGenresView[]>>;
  /**
   * Adds genres to an artist typed as a name from your bases, a Spotify artist id or a link.
   * Answers what the artist has now.
   */
  tag: (artist: string, genres: string[]) => Promise<Outcome<UserGenresView>>;
  /** Removes one genre, or all of them when `genre` is null. Answers what is left. */
  untag: (artist: string, genre: string | null) => Promise<Outcome<UserGenresView | null>>;
};

export function createGenresApi(b: Bridge = realBridge): GenresApi {
  return {
    isAvailable: () => b.isTauri(),
    list: () => call(b, "list_user_genres"),
    tag: (artist, genres) => call(b, "tag_artist", { artist, genres }),
    untag: (artist, genre) => call(b, "untag_artist", { artist, genre }),
  };
}

/** The genres field as typed: comma separated, spaces around each ignored, blanks dropped. */
export function splitGenres(text: string): string[] {
  return text
    .split(",")
    .map((g) => g.trim())
    .filter((g) => g !== "");
}

export const defaultGenresApi: GenresApi = createGenresApi();
