// A stand-in for the shell's filter commands, for tests. Its "query language" is a toy: enough
// to show that text and rules follow each other, not a copy of the real one (syncer-core).

import { createFiltersApi, type FiltersApi, type QueryError } from "../api/filters";
import type { FieldInfo } from "../bindings/FieldInfo";
import type { Filter } from "../bindings/Filter";
import type { Node } from "../bindings/Node";
import type { Rule } from "../bindings/Rule";
import { type FakeShell, fakeShell } from "../test/fakeConnections";

function info(
  field: FieldInfo["field"],
  label: string,
  kind: FieldInfo["kind"],
  group: string,
  extra: Partial<FieldInfo> = {},
): FieldInfo {
  return {
    field,
    label,
    description: `${label}.`,
    group,
    kind,
    aliases: [],
    element: null,
    example: "",
    suggestions: [],
    min: null,
    max: null,
    ...extra,
  };
}

/** A few fields of each kind, as `filter_fields` answers. */
export const FIELDS: FieldInfo[] = [
  info("title", "Title", "text", "Track", { example: "live" }),
  info("artist", "Artists", "list", "Track", { element: "artist", example: "radiohead" }),
  info("duration", "Duration", "duration", "Track", { example: "4:30" }),
  info("explicit", "Explicit", "bool", "Track"),
  info("album_type", "Album type", "text", "Album", {
    example: "single",
    suggestions: ["album", "single", "compilation"],
  }),
  info("release", "Release date", "date", "Album", { example: "2015-06" }),
  info("year", "Release year", "number", "Album", { example: "2015", min: 0, max: 9999 }),
  info("genre", "Genres", "list", "Genres", { element: "genre", example: "indie rock" }),
  info("popularity", "Popularity", "number", "Popularity", { example: "60", min: 0, max: 100 }),
  info("added", "Date added", "date", "Base playlist", { example: "30d" }),
];

function rule(r: Rule): string {
  const op = (o: object) => {
    const [key, value] = Object.entries(o)[0] ?? ["?", "?"];
    return `${key}=${JSON.stringify(value)}`;
  };
  switch (r.type) {
    case "text":
    case "list":
      return `${r.field}${r.type === "list" ? `.${r.quantifier}` : ""}${r.exact ? ".exact" : ""}:${op(r.op)}`;
    case "number":
    case "duration":
    case "date":
      return `${r.field}:${op(r.op)}`;
    case "bool":
      return r.value ? r.field : `${r.field}:false`;
    case "playlist":
      return `${r.field}:${JSON.stringify(r.playlist)}`;
  }
}

function node(n: Node): string {
  if ("rule" in n) {
    return rule(n.rule);
  }
  const inner = n.group.children.map(node).join(" ");
  return `${n.group.mode.toUpperCase()}(${inner})`;
}

/** The toy text of a filter: one word per rule, groups as MODE(...), steps as JSON. */
export function toyFormat(filter: Filter): string {
  const steps = filter.post === undefined ? "" : ` | ${JSON.stringify(filter.post)}`;
  return `${node(filter.root)}${steps}`;
}

export function queryError(column: number, message: string, suggestion?: string): QueryError {
  return {
    column,
    kind: "unknown_field",
    message,
    expected: "a field name such as title, artist or genre",
    suggestion: suggestion ?? null,
  };
}

export type FakeFilters = {
  api: FiltersApi;
  shell: FakeShell;
  /** Texts `parse_query` reads, besides whatever `format_query` wrote. */
  known: Map<string, Filter>;
  calls: (command: string) => Array<Record<string, unknown>>;
};

/**
 * The filter commands: `format_query` writes the toy text (and remembers it), `parse_query`
 * reads what was written or registered in `known`, and refuses anything else with an error at
 * column 1 (or as `errors` says).
 */
export function fakeFilters(
  options: { known?: Record<string, Filter>; errors?: Record<string, QueryError> } = {},
): FakeFilters {
  const known = new Map(Object.entries(options.known ?? {}));
  const errors = options.errors ?? {};
  const shell = fakeShell({
    filter_fields: () => FIELDS,
    format_query: (args) => {
      const filter = args.filter as Filter;
      const text = toyFormat(filter);
      known.set(text, JSON.parse(JSON.stringify(filter)) as Filter);
      return text;
    },
    // The real commands' rule: the top-level `-in:` rules are the exclusion lists.
    filter_exclusions: (args) => exclusionsOf(args.filter as Filter),
    set_filter_exclusions: (args) =>
      withExclusions(args.filter as Filter, args.playlists as string[]),
    parse_query: (args) => {
      const text = String(args.text);
      const error = errors[text];
      if (error !== undefined) {
        return Promise.reject(error);
      }
      const filter = known.get(text);
      if (filter === undefined) {
        return Promise.reject(queryError(1, `unknown field '${text.split(":")[0] ?? ""}'`));
      }
      return JSON.parse(JSON.stringify(filter)) as Filter;
    },
  });
  return {
    api: createFiltersApi(shell.bridge),
    shell,
    known,
    calls: (command) => shell.calls.filter((c) => c.command === command).map((c) => c.args),
  };
}

function topLevel(filter: Filter): Node[] {
  const root = filter.root;
  return "group" in root && root.group.mode === "all" ? root.group.children : [root];
}

function exclusionOf(n: Node): string | null {
  if ("group" in n && n.group.mode === "none" && n.group.children.length === 1) {
    const only = n.group.children[0];
    if (only !== undefined && "rule" in only && only.rule.type === "playlist") {
      return only.rule.playlist;
    }
  }
  return null;
}

function exclusionsOf(filter: Filter): string[] {
  return topLevel(filter)
    .map(exclusionOf)
    .filter((p): p is string => p !== null);
}

function withExclusions(filter: Filter, playlists: string[]): Filter {
  const kept = topLevel(filter).filter((n) => {
    const p = exclusionOf(n);
    return p === null || playlists.includes(p);
  });
  const present = kept.map(exclusionOf);
  for (const p of playlists) {
    if (!present.includes(p)) {
      kept.push({
        group: {
          mode: "none",
          children: [{ rule: { type: "playlist", field: "in", playlist: p } }],
        },
      });
    }
  }
  return { ...filter, root: { group: { mode: "all", children: kept } } };
}
