import { useId, useState } from "react";
import type { Limit } from "../bindings/Limit";
import { DraftInput, Select } from "./inputs";
import { formatDuration, ORDERS, parseCount, parseDuration, type Steps } from "./model";
import type { FieldAvailabilityMap } from "./RuleBuilder";

export type PostStepsEditorProps = {
  steps: Steps;
  onChange: (steps: Steps) => void;
  availability?: FieldAvailabilityMap | undefined;
  disabled?: boolean | undefined;
};

type LimitKind = "none" | "tracks" | "duration";

const LIMIT_KINDS: ReadonlyArray<{ key: LimitKind; label: string }> = [
  { key: "none", label: "None" },
  { key: "tracks", label: "Number of tracks" },
  { key: "duration", label: "Total length" },
];

const DEFAULT_TRACKS = 50;
const DEFAULT_LENGTH_MS = 60 * 60_000;

function limitKind(limit: Limit | null): LimitKind {
  if (limit === null) {
    return "none";
  }
  return "tracks" in limit ? "tracks" : "duration";
}

/**
 * What happens to the matching tracks, in the order it runs: repeats dropped, the order they
 * are picked in, a cap per artist, a limit on the count or the total length.
 */
export function PostStepsEditor({
  steps,
  onChange,
  availability = {},
  disabled = false,
}: PostStepsEditorProps) {
  const ids = {
    order: useId(),
    perArtist: useId(),
    limit: useId(),
    dedupe: useId(),
    isrc: useId(),
    titleArtist: useId(),
  };
  // Remembered while a step is off, so turning it back on restores what was there.
  const [lastCap, setLastCap] = useState(steps.per_artist ?? 2);
  const [lastTracks, setLastTracks] = useState(
    steps.limit !== null && "tracks" in steps.limit ? steps.limit.tracks : DEFAULT_TRACKS,
  );
  const [lastLength, setLastLength] = useState(
    steps.limit !== null && "duration" in steps.limit ? steps.limit.duration : DEFAULT_LENGTH_MS,
  );
  const dedupe = steps.dedupe;
  const set = (change: Partial<Steps>) => onChange({ ...steps, ...change });
  const kind = limitKind(steps.limit);

  return (
    <fieldset className="steps" data-testid="post-steps">
      <legend className="steps__legend">After matching</legend>

      <fieldset className="steps__dedupe">
        <legend className="steps__label">Repeats</legend>
        <span className="check">
          <input
            id={ids.dedupe}
            type="checkbox"
            checked={dedupe !== null}
            disabled={disabled}
            onChange={(event) =>
              set({
                dedupe: event.target.checked ? { isrc: false, title_artist: false } : null,
              })
            }
          />
          <label htmlFor={ids.dedupe}>Keep each track once</label>
        </span>
        <span className="check check--sub">
          <input
            id={ids.isrc}
            type="checkbox"
            checked={dedupe?.isrc === true}
            disabled={disabled}
            onChange={(event) =>
              set({
                dedupe: {
                  isrc: event.target.checked,
                  title_artist: dedupe?.title_artist ?? false,
                },
              })
            }
          />
          <label htmlFor={ids.isrc}>
            also the same recording under another id (ISRC){suffix(availability, "isrc")}
          </label>
        </span>
        <span className="check check--sub">
          <input
            id={ids.titleArtist}
            type="checkbox"
            checked={dedupe?.title_artist === true}
            disabled={disabled}
            onChange={(event) =>
              set({
                dedupe: { isrc: dedupe?.isrc ?? false, title_artist: event.target.checked },
              })
            }
          />
          <label htmlFor={ids.titleArtist}>also the same title by the same artist</label>
        </span>
      </fieldset>

      <div className="steps__row">
        <label htmlFor={ids.order} className="steps__label">
          Order
        </label>
        <Select
          id={ids.order}
          label="Order"
          value={steps.order}
          options={ORDERS.map((o) => ({
            key: o.key,
            label: `${o.label}${o.field === null ? "" : suffix(availability, o.field)}`,
          }))}
          disabled={disabled}
          onChange={(order) => set({ order })}
        />
      </div>

      <div className="steps__row">
        <span className="check">
          <input
            id={ids.perArtist}
            type="checkbox"
            checked={steps.per_artist !== null}
            disabled={disabled}
            onChange={(event) => set({ per_artist: event.target.checked ? lastCap : null })}
          />
          <label htmlFor={ids.perArtist}>At most</label>
        </span>
        <DraftInput
          label="Tracks per artist"
          value={steps.per_artist ?? lastCap}
          format={String}
          parse={(text) => parseCount(text, 1)}
          invalidHint="Write a whole number of at least 1."
          inputMode="numeric"
          width="narrow"
          disabled={disabled || steps.per_artist === null}
          onCommit={(n) => {
            setLastCap(n);
            set({ per_artist: n });
          }}
        />
        <span className="steps__text">tracks per artist</span>
      </div>

      <div className="steps__row">
        <label htmlFor={ids.limit} className="steps__label">
          Limit
        </label>
        <Select
          id={ids.limit}
          label="Limit"
          value={kind}
          options={LIMIT_KINDS}
          disabled={disabled}
          onChange={(next) =>
            set({
              limit:
                next === "none"
                  ? null
                  : next === "tracks"
                    ? { tracks: lastTracks }
                    : { duration: lastLength },
            })
          }
        />
        {steps.limit !== null && "tracks" in steps.limit ? (
          <>
            <DraftInput
              label="Number of tracks"
              value={steps.limit.tracks}
              format={String}
              parse={(text) => parseCount(text, 1)}
              invalidHint="Write a whole number of at least 1."
              inputMode="numeric"
              width="narrow"
              disabled={disabled}
              onCommit={(tracks) => {
                setLastTracks(tracks);
                set({ limit: { tracks } });
              }}
            />
            <span className="steps__text">tracks</span>
          </>
        ) : null}
        {steps.limit !== null && "duration" in steps.limit ? (
          <DraftInput
            label="Total length"
            value={steps.limit.duration}
            format={formatDuration}
            parse={(text) => {
              const ms = parseDuration(text);
              return ms !== null && ms > 0 ? ms : null;
            }}
            invalidHint="Write a length like 1:30:00 or 90m."
            width="narrow"
            disabled={disabled}
            onCommit={(duration) => {
              setLastLength(duration);
              set({ limit: { duration } });
            }}
          />
        ) : null}
      </div>
      {steps.per_artist !== null || steps.limit !== null ? (
        <p className="steps__hint">The order decides which tracks the cap and the limit keep.</p>
      ) : null}
    </fieldset>
  );
}

function suffix(availability: FieldAvailabilityMap, field: keyof FieldAvailabilityMap): string {
  const a = availability[field];
  if (a?.state === "unavailable") {
    return " (not available)";
  }
  if (a?.state === "not_yet_known") {
    return " (may be unknown)";
  }
  return "";
}
