import { useEffect, useRef, useState } from "react";
import type { Loadable } from "../api/connections";
import {
  defaultFiltersApi,
  type FieldInfo,
  type FieldProblem,
  type Filter,
  type FiltersApi,
} from "../api/filters";
import { rootGroup, sameFilter, stepsOf, withRoot, withSteps } from "./model";
import { PostStepsEditor } from "./PostStepsEditor";
import { type QueryStatus, QueryText } from "./QueryText";
import { type FieldAvailabilityMap, RuleBuilder } from "./RuleBuilder";
import "./filters.css";

export type { FieldAvailabilityMap, QueryStatus };

/** A child's filter as the editor keeps it: the query text and the filter it reads as. */
export type FilterValue = {
  /** The query as typed, or as written by the shell after a change in the rule builder. */
  query: string;
  filter: Filter;
};

export type FilterEditorProps = {
  value: FilterValue;
  /**
   * Called with a pair that agrees: `filter` is what `query` reads as. Not called while the
   * text has an error, nor between an edit and the shell's answer (see `onStatusChange`).
   */
  onChange: (value: FilterValue) => void;
  /** Whether the text and the rules agree, are being brought in step, or the text has an error. */
  onStatusChange?: ((status: QueryStatus) => void) | undefined;
  /** The shell's filter commands; tests pass a fake. */
  api?: FiltersApi | undefined;
  /** The field catalogue, if the caller already has it; otherwise asked of the shell once. */
  fields?: readonly FieldInfo[] | undefined;
  /** What the connection can provide, field by field (fields left out are available). */
  availability?: FieldAvailabilityMap | undefined;
  /** `check_availability`'s findings for this filter; marked like `availability`. */
  problems?: readonly FieldProblem[] | undefined;
  /** The connection's playlist names, offered by `in` rules. */
  playlists?: readonly string[] | undefined;
  /** How long typing must pause before the text is read. */
  debounceMs?: number | undefined;
  disabled?: boolean | undefined;
};

/** `check_availability`'s list as a field → availability map. */
export function availabilityFromProblems(problems: readonly FieldProblem[]): FieldAvailabilityMap {
  const map: FieldAvailabilityMap = {};
  for (const problem of problems) {
    map[problem.field] = problem.availability;
  }
  return map;
}

/** The catalogue with the connection's playlists offered (and the first as example) by `in`. */
export function withPlaylists(
  fields: readonly FieldInfo[],
  playlists: readonly string[] | undefined,
): readonly FieldInfo[] {
  if (playlists === undefined || playlists.length === 0) {
    return fields;
  }
  return fields.map((f) =>
    f.kind === "playlist"
      ? { ...f, suggestions: [...playlists], example: playlists[0] ?? f.example }
      : f,
  );
}

/**
 * The filter editor: the visual rule builder, the steps after matching, and the query text,
 * kept in step. A change in the builder is written as text by the shell (`format_query`); text
 * typed in the box is read by the shell (`parse_query`) once typing pauses, and when it is not
 * a query the error is shown at its column while the builder keeps the last good rules.
 */
export function FilterEditor(props: FilterEditorProps) {
  const { value, fields, availability, problems, debounceMs = 300, disabled = false } = props;
  const api = props.api ?? defaultFiltersApi;
  const [text, setText] = useState(value.query);
  const [filter, setFilter] = useState(value.filter);
  const [status, setStatus] = useState<QueryStatus>({ kind: "ok" });
  const [catalogue, setCatalogue] = useState<Loadable<readonly FieldInfo[]>>(
    fields === undefined ? { kind: "loading" } : { kind: "ok", value: fields },
  );

  // Every edit gets a number; an answer for an older edit arrives too late and is dropped.
  const edit = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const emitted = useRef(value);
  const latest = useRef(props);
  useEffect(() => {
    latest.current = props;
  });

  useEffect(() => {
    return () => {
      edit.current += 1;
      clearTimeout(timer.current);
    };
  }, []);

  // A value from outside (another child opened, a reset) replaces whatever is being edited.
  useEffect(() => {
    const last = emitted.current;
    if (value === last || (value.query === last.query && sameFilter(value.filter, last.filter))) {
      return;
    }
    emitted.current = value;
    edit.current += 1;
    clearTimeout(timer.current);
    setText(value.query);
    setFilter(value.filter);
    setStatus({ kind: "ok" });
    latest.current.onStatusChange?.({ kind: "ok" });
  }, [value]);

  useEffect(() => {
    if (fields !== undefined) {
      setCatalogue({ kind: "ok", value: fields });
      return;
    }
    let live = true;
    void api.filterFields().then((outcome) => {
      if (live) {
        setCatalogue(
          outcome.ok
            ? { kind: "ok", value: outcome.value }
            : { kind: "error", message: outcome.message },
        );
      }
    });
    return () => {
      live = false;
    };
  }, [api, fields]);

  function report(next: QueryStatus) {
    setStatus(next);
    latest.current.onStatusChange?.(next);
  }

  function emit(next: FilterValue) {
    emitted.current = next;
    latest.current.onChange(next);
  }

  /** A change made in the builder or the steps: shown at once, then written as text. */
  function editFilter(next: Filter) {
    const mine = ++edit.current;
    clearTimeout(timer.current);
    setFilter(next);
    report({ kind: "checking" });
    void (async () => {
      const formatted = await api.formatQuery(next);
      if (mine !== edit.current) {
        return;
      }
      if (!formatted.ok) {
        report({ kind: "invalid", message: formatted.message, error: null });
        return;
      }
      setText(formatted.value);
      // Read back, so what is saved is text the app can open: a pattern Rust's regex engine
      // refuses, say, shows here as an error at its column rather than later in a sync.
      const parsed = await api.parseQuery(formatted.value);
      if (mine !== edit.current) {
        return;
      }
      if (!parsed.ok) {
        report({ kind: "invalid", message: parsed.message, error: parsed.error });
        return;
      }
      if (!sameFilter(parsed.value, next)) {
        setFilter(parsed.value);
      }
      report({ kind: "ok" });
      emit({ query: formatted.value, filter: parsed.value });
    })();
  }

  /** Text typed in the box: read once typing pauses; the builder follows when it reads. */
  function editText(next: string) {
    const mine = ++edit.current;
    clearTimeout(timer.current);
    setText(next);
    report({ kind: "checking" });
    timer.current = setTimeout(() => {
      void api.parseQuery(next).then((parsed) => {
        if (mine !== edit.current) {
          return;
        }
        if (!parsed.ok) {
          report({ kind: "invalid", message: parsed.message, error: parsed.error });
          return;
        }
        setFilter(parsed.value);
        report({ kind: "ok" });
        emit({ query: next, filter: parsed.value });
      });
    }, debounceMs);
  }

  const marks: FieldAvailabilityMap = {
    ...availability,
    ...(problems === undefined ? {} : availabilityFromProblems(problems)),
  };

  return (
    <div className="filter-editor" data-testid="filter-editor">
      {catalogue.kind === "ok" ? (
        <RuleBuilder
          root={rootGroup(filter)}
          fields={withPlaylists(catalogue.value, props.playlists)}
          availability={marks}
          disabled={disabled}
          onChange={(group) => editFilter(withRoot(filter, group))}
        />
      ) : (
        <p className="notice" role={catalogue.kind === "error" ? "alert" : "status"}>
          {catalogue.kind === "error"
            ? `The rule builder cannot list the fields: ${catalogue.message} The query below still works.`
            : "Loading the fields…"}
        </p>
      )}
      <PostStepsEditor
        steps={stepsOf(filter)}
        availability={marks}
        disabled={disabled}
        onChange={(steps) => editFilter(withSteps(filter, steps))}
      />
      <QueryText text={text} status={status} disabled={disabled} onChange={editText} />
    </div>
  );
}
