import { useCallback, useEffect, useId, useRef, useState } from "react";
import { defaultGenresApi, type GenresApi, splitGenres, type UserGenresView } from "../api/genres";
import { WarningIcon } from "../components/icons";
import "./genres.css";

type Listing =
  | { kind: "loading" }
  | { kind: "unavailable" }
  | { kind: "error"; message: string }
  | { kind: "ok"; artists: UserGenresView[] };

/** What was just done, said once; a removal can be taken back. */
type Notice =
  | { kind: "ok"; text: string; undo?: { artist: string; genres: string[] } }
  | { kind: "warning"; text: string };

/** Where the focus goes once the list has changed under the button that had it. */
type FocusTarget = { artist: string; index: number } | "form" | null;

export function artistLabel(a: UserGenresView): string {
  return a.name ?? a.artist;
}

/**
 * "My genres": artists the user gave genres of their own, which filters read as one more
 * genre source (docs/metadata.md). Listing, adding and removing all go through the shell's
 * genres commands, the same calls as `syncer genres`.
 */
export function YourGenres({ api = defaultGenresApi }: { api?: GenresApi | undefined }) {
  const ids = useId();
  const available = api.isAvailable();
  const [listing, setListing] = useState<Listing>(() =>
    available ? { kind: "loading" } : { kind: "unavailable" },
  );
  const [artist, setArtist] = useState("");
  const [genres, setGenres] = useState("");
  const [adding, setAdding] = useState(false);
  const [formProblem, setFormProblem] = useState<string | null>(null);
  // Removals under way, by artist id: that artist's buttons wait.
  const [removing, setRemoving] = useState<ReadonlySet<string>>(new Set());
  const [notice, setNotice] = useState<Notice | null>(null);
  const [focusTarget, setFocusTarget] = useState<FocusTarget>(null);
  const section = useRef<HTMLElement>(null);
  const artistInput = useRef<HTMLInputElement>(null);

  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const load = useCallback(async () => {
    if (!api.isAvailable()) {
      return;
    }
    const r = await api.list();
    if (mounted.current) {
      setListing(r.ok ? { kind: "ok", artists: r.value } : { kind: "error", message: r.message });
    }
  }, [api]);

  useEffect(() => {
    void load();
  }, [load]);

  // A removed chip takes its button with it: the focus moves to the chip that took its place
  // (or the artist's "Remove all", or with the artist gone, the form) instead of falling back
  // to the top of the page.
  useEffect(() => {
    if (focusTarget === null || listing.kind !== "ok") {
      return;
    }
    setFocusTarget(null);
    let next: HTMLElement | null = null;
    if (focusTarget !== "form") {
      const item = Array.from(
        section.current?.querySelectorAll<HTMLElement>("[data-artist]") ?? [],
      ).find((el) => el.dataset.artist === focusTarget.artist);
      const chips = Array.from(item?.querySelectorAll<HTMLElement>(".chip__remove") ?? []);
      next =
        chips[Math.min(focusTarget.index, chips.length - 1)] ??
        item?.querySelector<HTMLElement>(".genres-artist__all") ??
        null;
    }
    (next ?? artistInput.current)?.focus();
  }, [focusTarget, listing]);

  function markRemoving(id: string, on: boolean) {
    setRemoving((all) => {
      const next = new Set(all);
      if (on) {
        next.add(id);
      } else {
        next.delete(id);
      }
      return next;
    });
  }

  async function add() {
    setAdding(true);
    setFormProblem(null);
    setNotice(null);
    const r = await api.tag(artist.trim(), splitGenres(genres));
    if (!mounted.current) {
      return;
    }
    setAdding(false);
    if (!r.ok) {
      setFormProblem(
        r.code === "not_found"
          ? `Syncer could not find that artist: ${r.message}`
          : `Nothing was added: ${r.message}`,
      );
      artistInput.current?.focus();
      return;
    }
    setArtist("");
    setGenres("");
    setNotice({
      kind: "ok",
      text: `${artistLabel(r.value)} now has your genres ${r.value.genres.join(", ")}. Filters reading genres use them from the next sync on.`,
    });
    await load();
  }

  async function remove(a: UserGenresView, genre: string | null) {
    const who = artistLabel(a);
    markRemoving(a.artist, true);
    setNotice(null);
    const r = await api.untag(a.artist, genre);
    if (!mounted.current) {
      return;
    }
    markRemoving(a.artist, false);
    if (!r.ok) {
      // Gone already (another device, or the command line): the list below is refreshed.
      setNotice({
        kind: "warning",
        text:
          r.code === "not_found"
            ? `${who} has none of your genres any more; the list is up to date now.`
            : `Syncer could not remove ${genre === null ? "the genres" : `“${genre}”`} from ${who}: ${r.message}`,
      });
    } else if (genre === null || r.value === null) {
      setNotice({
        kind: "ok",
        text:
          genre === null
            ? `Removed all your genres from ${who}.`
            : `Removed “${genre}” from ${who}, its last genre of yours.`,
      });
    } else {
      // Undone by id, which keeps the name only while the artist has genres left; so only then.
      setNotice({
        kind: "ok",
        text: `Removed “${genre}” from ${who}.`,
        undo: { artist: a.artist, genres: [genre] },
      });
    }
    const index = genre === null ? 0 : Math.max(0, a.genres.indexOf(genre));
    setFocusTarget(r.ok && r.value === null ? "form" : { artist: a.artist, index });
    await load();
  }

  async function undo(what: { artist: string; genres: string[] }) {
    setNotice(null);
    const r = await api.tag(what.artist, what.genres);
    if (!mounted.current) {
      return;
    }
    if (!r.ok) {
      setNotice({ kind: "warning", text: `Syncer could not put the genres back: ${r.message}` });
    }
    setFocusTarget({ artist: what.artist, index: 0 });
    await load();
  }

  const ready = listing.kind === "ok";
  const canAdd = ready && !adding && artist.trim() !== "" && splitGenres(genres).length > 0;

  return (
    <section
      ref={section}
      className="card"
      aria-labelledby={`${ids}-title`}
      data-testid="your-genres"
    >
      <h2 id={`${ids}-title`} className="card__title">
        Your genres
      </h2>
      <p className="card__intro muted">
        Give artists genres of your own. Filters like <code>genre:shoegaze</code> use them next
        sync, besides what Spotify and MusicBrainz know, so an artist no source describes can still
        be routed.
      </p>

      <GenreListing
        listing={listing}
        removing={removing}
        onRemove={(a, genre) => void remove(a, genre)}
        onRetry={() => {
          setListing({ kind: "loading" });
          void load();
        }}
      />

      <div className="live" aria-live="polite">
        {notice?.kind === "ok" ? (
          <div className="notice notice--ok genres-notice" data-testid="genres-notice">
            <p>{notice.text}</p>
            {notice.undo === undefined ? null : (
              <button
                type="button"
                className="button button--small"
                onClick={() => notice.undo && void undo(notice.undo)}
              >
                Undo
              </button>
            )}
          </div>
        ) : null}
      </div>
      {notice?.kind === "warning" ? (
        <div className="notice notice--warning" role="alert" data-testid="genres-problem">
          <WarningIcon size={16} />
          <p>{notice.text}</p>
        </div>
      ) : null}

      <form
        className="inline-form genres-form"
        aria-labelledby={`${ids}-form-title`}
        onSubmit={(event) => {
          event.preventDefault();
          if (canAdd) {
            void add();
          }
        }}
      >
        <h3 id={`${ids}-form-title`} className="genres-form__title">
          Tag an artist
        </h3>
        <div className="genres-form__fields">
          <div className="field">
            <label htmlFor={`${ids}-artist`}>Artist</label>
            <input
              ref={artistInput}
              id={`${ids}-artist`}
              className="input"
              value={artist}
              autoComplete="off"
              spellCheck={false}
              disabled={!ready}
              aria-describedby={`${ids}-artist-hint`}
              aria-invalid={formProblem !== null}
              onChange={(event) => {
                setArtist(event.target.value);
                setFormProblem(null);
              }}
            />
            <span id={`${ids}-artist-hint`} className="muted small">
              A name from your base playlists, a Spotify artist id, or an open.spotify.com/artist/…
              link
            </span>
          </div>
          <div className="field">
            <label htmlFor={`${ids}-genres`}>Genres</label>
            <input
              id={`${ids}-genres`}
              className="input"
              value={genres}
              autoComplete="off"
              disabled={!ready}
              aria-describedby={`${ids}-genres-hint`}
              onChange={(event) => setGenres(event.target.value)}
            />
            <span id={`${ids}-genres-hint`} className="muted small">
              Comma separated, e.g. shoegaze, dream pop
            </span>
          </div>
        </div>
        {formProblem === null ? null : (
          <div className="notice notice--warning" role="alert" data-testid="genres-form-problem">
            <WarningIcon size={16} />
            <p>{formProblem}</p>
          </div>
        )}
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={!canAdd}>
            {adding ? "Looking up the artist…" : "Add"}
          </button>
        </div>
      </form>
    </section>
  );
}

function GenreListing({
  listing,
  removing,
  onRemove,
  onRetry,
}: {
  listing: Listing;
  removing: ReadonlySet<string>;
  onRemove: (artist: UserGenresView, genre: string | null) => void;
  onRetry: () => void;
}) {
  switch (listing.kind) {
    case "loading":
      return <p className="muted">Reading your genres…</p>;
    case "unavailable":
      return (
        <p className="notice" data-testid="genres-unavailable">
          Your genres are kept by the Syncer desktop app; this preview cannot read or change them.
        </p>
      );
    case "error":
      return (
        <div className="notice notice--warning" role="alert" data-testid="genres-error">
          <WarningIcon size={16} />
          <p>Syncer could not read your genres: {listing.message}</p>
          <button type="button" className="button button--small" onClick={onRetry}>
            Try again
          </button>
        </div>
      );
    case "ok":
      if (listing.artists.length === 0) {
        return (
          <div className="genres-empty" data-testid="genres-empty">
            <p>
              <strong>You have not tagged any artist yet.</strong>
            </p>
            <p className="muted small">
              Spotify gives apps in Development Mode no genres, and MusicBrainz does not know every
              artist. Tag an artist below, e.g. with shoegaze: filters like{" "}
              <code>genre:shoegaze</code> use it next sync.
            </p>
          </div>
        );
      }
      return (
        <ul className="genres-list" aria-label="Artists you tagged">
          {listing.artists.map((a) => (
            <ArtistGenres
              key={a.artist}
              artist={a}
              busy={removing.has(a.artist)}
              onRemove={(genre) => onRemove(a, genre)}
            />
          ))}
        </ul>
      );
  }
}

function ArtistGenres({
  artist,
  busy,
  onRemove,
}: {
  artist: UserGenresView;
  busy: boolean;
  onRemove: (genre: string | null) => void;
}) {
  const who = artistLabel(artist);
  // "Remove all" asks first: the artist leaves the list, and typing it back is the only undo.
  const [confirming, setConfirming] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const allButton = useRef<HTMLButtonElement>(null);
  const reopenFocus = useRef(false);
  useEffect(() => {
    if (confirming) {
      confirmButton.current?.focus();
    } else if (reopenFocus.current) {
      reopenFocus.current = false;
      allButton.current?.focus();
    }
  }, [confirming]);
  const cancel = () => {
    reopenFocus.current = true;
    setConfirming(false);
  };
  const count = artist.genres.length;
  return (
    <li className="genres-artist" data-testid="genres-artist" data-artist={artist.artist}>
      <div className="genres-artist__head">
        <span className="genres-artist__name">{who}</span>
        {artist.name === null ? null : (
          <span className="genres-artist__id muted small">{artist.artist}</span>
        )}
        {confirming ? null : (
          <button
            ref={allButton}
            type="button"
            className="button button--small button--danger genres-artist__all"
            aria-label={`Remove all genres from ${who}`}
            disabled={busy}
            onClick={() => setConfirming(true)}
          >
            Remove all
          </button>
        )}
      </div>
      {confirming ? (
        <fieldset
          className="genres-confirm"
          onKeyDown={(event) => {
            if (event.key === "Escape") {
              cancel();
            }
          }}
        >
          <legend className="small">
            Remove {count === 1 ? "your genre" : `all ${count} of your genres`} from {who}?
          </legend>
          <div className="actions">
            <button
              ref={confirmButton}
              type="button"
              className="button button--small button--danger"
              disabled={busy}
              onClick={() => {
                setConfirming(false);
                onRemove(null);
              }}
            >
              Yes, remove all
            </button>
            <button type="button" className="button button--small" onClick={cancel}>
              Cancel
            </button>
          </div>
        </fieldset>
      ) : null}
      <ul className="chips" aria-label={`Your genres for ${who}`}>
        {artist.genres.map((genre) => (
          <li key={genre} className="chip">
            <span>{genre}</span>
            <button
              type="button"
              className="chip__remove"
              aria-label={`Remove genre ${genre} from ${who}`}
              title={`Remove genre ${genre} from ${who}`}
              disabled={busy}
              onClick={() => onRemove(genre)}
            >
              <span aria-hidden="true">×</span>
            </button>
          </li>
        ))}
      </ul>
    </li>
  );
}
