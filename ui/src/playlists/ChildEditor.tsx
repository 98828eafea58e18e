import { useEffect, useId, useRef, useState } from "react";
import { isMirrorMode, MIRROR_MODES } from "../api/enums";
import { defaultFiltersApi, type FiltersApi } from "../api/filters";
import type {
  BaseView,
  ChildView,
  LibraryApi,
  MirrorMode,
  PlaylistView,
  PreviewView,
} from "../api/library";
import { emptyFilter, FilterEditor, type FilterValue, type QueryStatus } from "../filters";
import { MIRROR_MODE_LABELS } from "../labels";
import { PreviewPanel } from "./PreviewPanel";

type ChildEditorProps = {
  api: LibraryApi;
  filtersApi?: FiltersApi | undefined;
  base: BaseView;
  /** The child being edited; none to create one. */
  child?: ChildView | undefined;
  onSaved: () => void;
  onCancel: () => void;
  /** How long the filter must stay unchanged before the live preview asks again. */
  previewDelayMs?: number | undefined;
};

type Target = "create" | "adopt";

/** Creates or edits a child: where its tracks go, its filter (rules or text), a live preview. */
export function ChildEditor({
  api,
  filtersApi = defaultFiltersApi,
  base,
  child,
  onSaved,
  onCancel,
  previewDelayMs = 400,
}: ChildEditorProps) {
  const editing = child !== undefined;
  const ids = useId();
  const [target, setTarget] = useState<Target>("create");
  const [name, setName] = useState(child?.name ?? "");
  const [adopt, setAdopt] = useState("");
  const [playlists, setPlaylists] = useState<PlaylistView[] | null>(null);
  const [excluded, setExcluded] = useState<string[]>([]);
  const [exclusionPick, setExclusionPick] = useState("");
  const [value, setValue] = useState<FilterValue | null>(
    editing ? null : { query: "", filter: emptyFilter() },
  );
  const [status, setStatus] = useState<QueryStatus>({ kind: "ok" });
  const [mirror, setMirror] = useState<MirrorMode>(child?.mirror ?? "keep_user_tracks");
  const [allowEmpty, setAllowEmpty] = useState(child?.allow_empty ?? false);
  const [preview, setPreview] = useState<PreviewView | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // An existing child's query is read into rules once, by the shell.
  useEffect(() => {
    if (child === undefined) {
      return;
    }
    let live = true;
    void filtersApi.parseQuery(child.query).then((outcome) => {
      if (live) {
        setValue({ query: child.query, filter: outcome.ok ? outcome.value : emptyFilter() });
      }
    });
    return () => {
      live = false;
    };
  }, [child, filtersApi]);

  // The connection's playlists: to adopt one, to name in `in` rules and exclusion lists.
  useEffect(() => {
    if (playlists !== null) {
      return;
    }
    void api.listPlaylists(base.connection).then((r) => {
      setPlaylists(r.ok ? r.value : []);
      if (!r.ok) {
        setError(r.message);
      }
    });
  }, [api, base.connection, playlists]);

  // The exclusion lists are the filter's top-level `-in:` rules, read by the shell.
  const filter = value?.filter;
  useEffect(() => {
    if (filter === undefined) {
      return;
    }
    let live = true;
    void filtersApi.filterExclusions(filter).then((r) => {
      if (live && r.ok) {
        setExcluded(r.value);
      }
    });
    return () => {
      live = false;
    };
  }, [filter, filtersApi]);

  async function changeExclusions(next: string[]) {
    if (value === null) {
      return;
    }
    const changed = await filtersApi.setFilterExclusions(value.filter, next);
    const text = changed.ok ? await filtersApi.formatQuery(changed.value) : changed;
    if (changed.ok && text.ok) {
      setValue({ query: text.value, filter: changed.value });
    } else if (!text.ok) {
      setError(text.message);
    }
  }

  // The live preview follows the filter once typing pauses; older answers are dropped.
  const asked = useRef(0);
  const query = value?.query;
  useEffect(() => {
    if (query === undefined || status.kind !== "ok") {
      return;
    }
    const n = ++asked.current;
    const timer = setTimeout(() => {
      void api
        .previewDraft({
          base: base.id,
          child: child?.id ?? null,
          name: name.trim() === "" ? "This child" : name.trim(),
          query,
          allow_empty: allowEmpty,
        })
        .then((r) => {
          if (n !== asked.current) {
            return;
          }
          if (r.ok) {
            setPreview(r.value);
            setPreviewError(null);
          } else {
            setPreviewError(r.message);
          }
        });
    }, previewDelayMs);
    return () => clearTimeout(timer);
  }, [api, base.id, child?.id, name, query, status.kind, allowEmpty, previewDelayMs]);

  async function save() {
    if (value === null) {
      return;
    }
    setSaving(true);
    setError(null);
    const result = editing
      ? await api.editChild({
          child: child.id,
          name: name.trim() === child.name ? null : name.trim(),
          query: value.query === child.query ? null : value.query,
          mirror,
          allow_empty: allowEmpty,
        })
      : await api.addChild({
          base: base.id,
          target:
            target === "create"
              ? { kind: "create", name: name.trim() }
              : { kind: "adopt", playlist: adopt },
          query: value.query,
          mirror,
          allow_empty: allowEmpty,
        });
    setSaving(false);
    if (result.ok) {
      onSaved();
    } else {
      setError(result.message);
    }
  }

  const nameMissing = target === "create" && name.trim() === "";
  const adoptMissing = !editing && target === "adopt" && adopt === "";
  const canSave =
    !saving &&
    !base.syncing &&
    value !== null &&
    status.kind === "ok" &&
    !nameMissing &&
    !adoptMissing;
  const title = editing ? `Edit ${child.name}` : `New child of ${base.name}`;

  return (
    <section className="card child-editor" aria-label={title} data-testid="child-editor">
      <h3 className="card__title">{title}</h3>
      {base.syncing ? (
        <p className="notice notice--warning" role="status">
          {base.name} is syncing: saving is paused until it finishes.
        </p>
      ) : null}
      {editing ? null : (
        <fieldset className="child-editor__target">
          <legend>Where the tracks go</legend>
          <label>
            <input
              type="radio"
              name={`${ids}-target`}
              checked={target === "create"}
              onChange={() => setTarget("create")}
            />{" "}
            A new playlist
          </label>
          <label>
            <input
              type="radio"
              name={`${ids}-target`}
              checked={target === "adopt"}
              onChange={() => setTarget("adopt")}
            />{" "}
            A playlist I already have
          </label>
        </fieldset>
      )}
      {target === "create" || editing ? (
        <p className="field">
          <label htmlFor={`${ids}-name`}>Name</label>
          <input
            id={`${ids}-name`}
            className="input"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="e.g. Calm acoustic"
            aria-invalid={nameMissing && !editing ? true : undefined}
          />
        </p>
      ) : (
        <div className="field">
          <label htmlFor={`${ids}-adopt`}>Playlist</label>
          <select
            id={`${ids}-adopt`}
            className="input"
            value={adopt}
            onChange={(e) => setAdopt(e.target.value)}
          >
            <option value="">{playlists === null ? "Loading…" : "Choose a playlist"}</option>
            {(playlists ?? [])
              .filter((p) => !p.is_base && !p.is_child)
              .map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                  {p.tracks === null ? "" : ` (${p.tracks})`}
                </option>
              ))}
          </select>
          <p className="notice notice--warning small" role="note">
            Syncer will manage this playlist's contents: tracks its filter does not select are
            removed at the next sync (tracks you add by hand later are kept, unless you choose a
            strict mirror). Undo puts back what a sync removed.
          </p>
        </div>
      )}
      {value === null ? (
        <p className="muted">Reading the filter…</p>
      ) : (
        <FilterEditor
          value={value}
          onChange={setValue}
          onStatusChange={setStatus}
          api={filtersApi}
          problems={undefined}
          playlists={(playlists ?? []).map((p) => p.name)}
        />
      )}
      <fieldset className="child-editor__exclusions" data-testid="exclusions">
        <legend>Never add tracks that are in</legend>
        {excluded.length === 0 ? (
          <p className="muted small">No exclusion list: any track the filter selects is added.</p>
        ) : (
          <ul className="chips">
            {excluded.map((name) => (
              <li key={name} className="chip">
                {name}
                <button
                  type="button"
                  className="chip__remove"
                  aria-label={`Stop excluding ${name}`}
                  disabled={value === null || status.kind !== "ok"}
                  onClick={() => void changeExclusions(excluded.filter((e) => e !== name))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        <div className="child-editor__exclusion-pick">
          <label htmlFor={`${ids}-exclude`}>Exclusion list</label>
          <select
            id={`${ids}-exclude`}
            className="input"
            value={exclusionPick}
            onChange={(e) => setExclusionPick(e.target.value)}
          >
            <option value="">{playlists === null ? "Loading…" : "Choose a playlist"}</option>
            {(playlists ?? [])
              .filter((p) => p.id !== base.id && p.id !== child?.id && !excluded.includes(p.name))
              .map((p) => (
                <option key={p.id} value={p.name}>
                  {p.name}
                </option>
              ))}
          </select>
          <button
            type="button"
            className="button"
            disabled={exclusionPick === "" || value === null || status.kind !== "ok"}
            onClick={() => {
              void changeExclusions([...excluded, exclusionPick]);
              setExclusionPick("");
            }}
          >
            Exclude
          </button>
        </div>
      </fieldset>
      <div className="child-editor__options">
        <p className="field">
          <label htmlFor={`${ids}-mirror`}>Tracks you add by hand</label>
          <select
            id={`${ids}-mirror`}
            className="input"
            value={mirror}
            onChange={(e) => {
              const mode = e.target.value;
              if (isMirrorMode(mode)) {
                setMirror(mode);
              }
            }}
          >
            {MIRROR_MODES.map((mode) => (
              <option key={mode} value={mode}>
                {MIRROR_MODE_LABELS[mode].choice}
              </option>
            ))}
          </select>
        </p>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={allowEmpty}
            onChange={(e) => setAllowEmpty(e.target.checked)}
          />{" "}
          Empty this child when its filter matches nothing
        </label>
      </div>
      {preview === null ? (
        <p className="muted small" aria-live="polite">
          {previewError ?? "The preview appears as you edit."}
        </p>
      ) : (
        <div aria-live="polite">
          {previewError === null ? null : <p className="notice notice--warning">{previewError}</p>}
          <PreviewPanel preview={preview} focus={child?.id ?? "draft"} title="Live preview" />
        </div>
      )}
      {error === null ? null : (
        <p className="notice notice--warning" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button
          type="button"
          className="button button--primary"
          disabled={!canSave}
          onClick={() => void save()}
        >
          {saving ? "Saving…" : editing ? "Save changes" : "Create child"}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </section>
  );
}
