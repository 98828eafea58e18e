// Pure helpers for the rule builder: the tree edited by path, a default rule per field kind,
// operators per kind, and the value formats (durations, partial dates) checked before they
// reach the shell. The types are generated from syncer-core; nothing here talks to the shell.

import type { CompareOp } from "../bindings/CompareOp";
import type { DateOp } from "../bindings/DateOp";
import type { Dedupe } from "../bindings/Dedupe";
import type { Field } from "../bindings/Field";
import type { FieldInfo } from "../bindings/FieldInfo";
import type { FieldKind } from "../bindings/FieldKind";
import type { Filter } from "../bindings/Filter";
import type { Group } from "../bindings/Group";
import type { GroupMode } from "../bindings/GroupMode";
import type { Limit } from "../bindings/Limit";
import type { Node } from "../bindings/Node";
import type { PostSteps } from "../bindings/PostSteps";
import type { Quantifier } from "../bindings/Quantifier";
import type { RelativeSpan } from "../bindings/RelativeSpan";
import type { Rule } from "../bindings/Rule";
import type { SelectionOrder } from "../bindings/SelectionOrder";
import type { TextOp } from "../bindings/TextOp";

/** Every key of every member of a union: the operator names of `{ is: … } | { contains: … }`. */
type KeysOfUnion<T> = T extends T ? keyof T : never;

export type TextOpKey = KeysOfUnion<TextOp>;
export type CompareKey = KeysOfUnion<CompareOp<number>>;
export type DateOpKey = KeysOfUnion<DateOp>;

// ---- the tree ----------------------------------------------------------------------------------

/** Where a node sits: child indexes from the root group down. `[]` is the root group itself. */
export type Path = readonly number[];

/** The filter's root as a group. A root that is a single rule shows as "all of" that one rule. */
export function rootGroup(filter: Filter): Group {
  return "group" in filter.root ? filter.root.group : { mode: "all", children: [filter.root] };
}

/**
 * The filter with `group` as its root. "All of" one rule is written as that rule, so one rule
 * added in the builder reads `genre:rock` in the text, not `(genre:rock)`. A lone group stays
 * nested, so the builder does not rearrange itself when its sibling rules are removed.
 */
export function withRoot(filter: Filter, group: Group): Filter {
  const only = group.children[0];
  const root: Node =
    group.mode === "all" && group.children.length === 1 && only !== undefined && "rule" in only
      ? only
      : { group };
  return { ...filter, root };
}

export function nodeAt(root: Group, path: Path): Node | undefined {
  let node: Node = { group: root };
  for (const index of path) {
    if (!("group" in node)) {
      return undefined;
    }
    const child: Node | undefined = node.group.children[index];
    if (child === undefined) {
      return undefined;
    }
    node = child;
  }
  return node;
}

/** The group at `path`, changed by `change`; everything off the path is shared, not copied. */
export function updateGroup(root: Group, path: Path, change: (group: Group) => Group): Group {
  const [first, ...rest] = path;
  if (first === undefined) {
    return change(root);
  }
  const child = root.children[first];
  if (child === undefined || !("group" in child)) {
    return root;
  }
  const children = root.children.slice();
  children[first] = { group: updateGroup(child.group, rest, change) };
  return { ...root, children };
}

/** The node at `path` (not the root) replaced by `node`. */
export function replaceNode(root: Group, path: Path, node: Node): Group {
  const parent = path.slice(0, -1);
  const index = path[path.length - 1];
  if (index === undefined) {
    return root;
  }
  return updateGroup(root, parent, (group) => {
    if (index >= group.children.length) {
      return group;
    }
    const children = group.children.slice();
    children[index] = node;
    return { ...group, children };
  });
}

/** `node` appended to the group at `groupPath`. */
export function appendChild(root: Group, groupPath: Path, node: Node): Group {
  return updateGroup(root, groupPath, (group) => ({
    ...group,
    children: [...group.children, node],
  }));
}

export function removeNode(root: Group, path: Path): Group {
  const parent = path.slice(0, -1);
  const index = path[path.length - 1];
  if (index === undefined) {
    return root;
  }
  return updateGroup(root, parent, (group) => ({
    ...group,
    children: group.children.filter((_, i) => i !== index),
  }));
}

/** The node at `path` moved `delta` places among its siblings; unchanged at either end. */
export function moveNode(root: Group, path: Path, delta: number): Group {
  const parent = path.slice(0, -1);
  const index = path[path.length - 1];
  if (index === undefined) {
    return root;
  }
  return updateGroup(root, parent, (group) => {
    const target = index + delta;
    const node = group.children[index];
    if (node === undefined || target < 0 || target >= group.children.length) {
      return group;
    }
    const children = group.children.slice();
    children.splice(index, 1);
    children.splice(target, 0, node);
    return { ...group, children };
  });
}

/** How deep groups may nest; the query language refuses more than 64 levels. */
export const MAX_GROUP_DEPTH = 8;

export function emptyGroup(mode: GroupMode = "all"): Group {
  return { mode, children: [] };
}

export function emptyFilter(): Filter {
  return { root: { group: emptyGroup() } };
}

/** "1.2" for the second child of the first: how a rule or group is named to the user. */
export function pathLabel(path: Path): string {
  return path.map((i) => i + 1).join(".");
}

// ---- rules -------------------------------------------------------------------------------------

export function ruleField(rule: Rule): Field {
  return rule.field;
}

export function ruleKind(rule: Rule): FieldKind {
  return rule.type;
}

/** A sensible first rule for a field: what the user most often means by picking it. */
export function defaultRule(info: FieldInfo, today: Date = new Date()): Rule {
  const field = info.field;
  switch (info.kind) {
    case "text":
      return { type: "text", field: field as TextFieldName, op: { contains: "" } };
    case "list":
      return {
        type: "list",
        field: field as ListFieldName,
        quantifier: "any_of",
        op: { contains: "" },
      };
    case "number": {
      const example = Number.parseInt(info.example, 10);
      const value = Number.isFinite(example) ? example : (info.min ?? 0);
      return { type: "number", field: field as NumberFieldName, op: { ge: value } };
    }
    case "duration":
      return { type: "duration", field: field as DurationFieldName, op: { lt: 5 * 60_000 } };
    case "date":
      return field === "added"
        ? {
            type: "date",
            field: "added",
            op: { in_the_last: { amount: 30, unit: "days" } },
          }
        : { type: "date", field: field as DateFieldName, op: { is: String(today.getFullYear()) } };
    case "bool":
      return { type: "bool", field: field as BoolFieldName, value: true };
    case "playlist":
      return { type: "playlist", field: field as PlaylistFieldName, playlist: info.example };
  }
}

type TextFieldName = Extract<Rule, { type: "text" }>["field"];
type ListFieldName = Extract<Rule, { type: "list" }>["field"];
type NumberFieldName = Extract<Rule, { type: "number" }>["field"];
type DurationFieldName = Extract<Rule, { type: "duration" }>["field"];
type DateFieldName = Extract<Rule, { type: "date" }>["field"];
type BoolFieldName = Extract<Rule, { type: "bool" }>["field"];
type PlaylistFieldName = Extract<Rule, { type: "playlist" }>["field"];

/**
 * The rule with another field. A field of the same kind keeps the operator and value (title
 * → album keeps "contains live"); text and list fields share their text operator; any other
 * change starts from the new field's default rule.
 */
export function withField(rule: Rule, info: FieldInfo): Rule {
  if (info.field === rule.field) {
    return rule;
  }
  const fresh = defaultRule(info);
  if (fresh.type === "number" && rule.type === "number") {
    // A year of 2015 means nothing as a popularity: out of the new field's range, start over.
    const fits = compareParts(rule.op).values.every(
      (v) => (info.min ?? -Infinity) <= v && v <= (info.max ?? Infinity),
    );
    return fits ? { ...rule, field: fresh.field } : fresh;
  }
  if (fresh.type === rule.type) {
    return { ...rule, field: fresh.field } as Rule;
  }
  if (fresh.type === "list" && rule.type === "text") {
    return withExact({ ...fresh, op: rule.op }, rule.exact === true);
  }
  if (fresh.type === "text" && rule.type === "list") {
    return withExact({ ...fresh, op: rule.op }, rule.exact === true);
  }
  return fresh;
}

/** `exact` is left out when off, as the shell writes it. */
export function withExact<R extends Extract<Rule, { type: "text" | "list" }>>(
  rule: R,
  exact: boolean,
): R {
  const { exact: _, ...rest } = rule;
  return (exact ? { ...rest, exact: true } : rest) as R;
}

/** The field's catalogue entry, or a bare stand-in for a field this UI does not know. */
export function fieldInfo(fields: readonly FieldInfo[], field: Field): FieldInfo | undefined {
  return fields.find((f) => f.field === field);
}

// ---- text operators ----------------------------------------------------------------------------

export const TEXT_OPERATORS: ReadonlyArray<{ key: TextOpKey; label: string }> = [
  { key: "contains", label: "contains" },
  { key: "does_not_contain", label: "does not contain" },
  { key: "is", label: "is" },
  { key: "is_not", label: "is not" },
  { key: "is_one_of", label: "is one of" },
  { key: "starts_with", label: "starts with" },
  { key: "ends_with", label: "ends with" },
  { key: "matches", label: "matches the pattern" },
];

export const QUANTIFIERS: ReadonlyArray<{ key: Quantifier; label: (element: string) => string }> = [
  { key: "any_of", label: (element) => `any ${element}` },
  { key: "all_of", label: (element) => `every ${element}` },
  { key: "none_of", label: (element) => `no ${element}` },
];

function onlyKey<T extends object>(value: T): KeysOfUnion<T> {
  return Object.keys(value)[0] as KeysOfUnion<T>;
}

export function textOpKey(op: TextOp): TextOpKey {
  return onlyKey(op);
}

/** The operator's value: one text, or the list of `is one of`. */
export function textOpValue(op: TextOp): string | string[] {
  return "is_one_of" in op ? op.is_one_of : (Object.values(op)[0] ?? "");
}

export function makeTextOp(key: TextOpKey, value: string | readonly string[]): TextOp {
  if (key === "is_one_of") {
    return { is_one_of: typeof value === "string" ? splitValues(value) : [...value] };
  }
  const text = typeof value === "string" ? value : (value[0] ?? "");
  switch (key) {
    case "is":
      return { is: text };
    case "is_not":
      return { is_not: text };
    case "contains":
      return { contains: text };
    case "does_not_contain":
      return { does_not_contain: text };
    case "starts_with":
      return { starts_with: text };
    case "ends_with":
      return { ends_with: text };
    case "matches":
      return { matches: text };
  }
}

/** Another operator with the same value carried over (a list keeps its first value). */
export function changeTextOp(op: TextOp, key: TextOpKey): TextOp {
  return makeTextOp(key, textOpValue(op));
}

/** "a, b ,c" → ["a", "b", "c"]: how typed or pasted lists are read. Empty parts are dropped. */
export function splitValues(text: string): string[] {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
}

// ---- numbers and durations ---------------------------------------------------------------------

export const COMPARE_KEYS: readonly CompareKey[] = [
  "eq",
  "ne",
  "lt",
  "le",
  "gt",
  "ge",
  "in_range",
  "not_in_range",
];

const NUMBER_LABELS: Record<CompareKey, string> = {
  eq: "is",
  ne: "is not",
  lt: "is less than",
  le: "is at most",
  gt: "is more than",
  ge: "is at least",
  in_range: "is between",
  not_in_range: "is not between",
};

const DURATION_LABELS: Record<CompareKey, string> = {
  eq: "is exactly",
  ne: "is not",
  lt: "is shorter than",
  le: "is at most",
  gt: "is longer than",
  ge: "is at least",
  in_range: "is between",
  not_in_range: "is not between",
};

export function compareOperators(
  kind: "number" | "duration",
): ReadonlyArray<{ key: CompareKey; label: string }> {
  const labels = kind === "number" ? NUMBER_LABELS : DURATION_LABELS;
  return COMPARE_KEYS.map((key) => ({ key, label: labels[key] }));
}

/** The operator's name and its one or two values. */
export function compareParts<T>(op: CompareOp<T>): { key: CompareKey; values: [T] | [T, T] } {
  if ("in_range" in op) {
    return { key: "in_range", values: op.in_range };
  }
  if ("not_in_range" in op) {
    return { key: "not_in_range", values: op.not_in_range };
  }
  const key = onlyKey(op);
  return { key, values: [Object.values(op)[0] as T] };
}

export function isRangeKey(key: CompareKey | DateOpKey): key is "in_range" | "not_in_range" {
  return key === "in_range" || key === "not_in_range";
}

export function makeCompareOp<T>(key: CompareKey, first: T, second: T = first): CompareOp<T> {
  switch (key) {
    case "eq":
      return { eq: first };
    case "ne":
      return { ne: first };
    case "lt":
      return { lt: first };
    case "le":
      return { le: first };
    case "gt":
      return { gt: first };
    case "ge":
      return { ge: first };
    case "in_range":
      return { in_range: [first, second] };
    case "not_in_range":
      return { not_in_range: [first, second] };
  }
}

/** Another comparison with the values carried over (a new range ends where it starts). */
export function changeCompareOp<T>(op: CompareOp<T>, key: CompareKey): CompareOp<T> {
  const { values } = compareParts(op);
  return makeCompareOp(key, values[0], values[1] ?? values[0]);
}

/**
 * A whole number from what was typed, or null: "2015", " -3 ". Numbers in rules are whole
 * (the shell reads them as 64-bit integers); a fraction or an exponent is refused.
 */
export function parseWholeNumber(text: string): number | null {
  const trimmed = text.trim();
  if (!/^-?\d{1,15}$/.test(trimmed)) {
    return null;
  }
  return Number.parseInt(trimmed, 10);
}

/** A count of at least `min` (tracks, tracks per artist), or null. */
export function parseCount(text: string, min = 1): number | null {
  const n = parseWholeNumber(text);
  return n !== null && n >= min && n <= 4_294_967_295 ? n : null;
}

/** `m:ss`, or `h:mm:ss` from an hour up, with `.mmm` when not whole: as the query writes it. */
export function formatDuration(ms: number): string {
  const millis = ms % 1000;
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor(total / 60) % 60;
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  const clock = h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
  return millis > 0 ? `${clock}.${String(millis).padStart(3, "0")}` : clock;
}

/**
 * Milliseconds from what was typed, or null: `4:30`, `1:02:03`, `4:30.5`, plain seconds
 * (`270`), or units (`90s`, `4m30s`, `1h`) — the spellings the query language reads.
 */
export function parseDuration(text: string): number | null {
  const t = text.trim();
  if (t === "") {
    return null;
  }
  const clock = /^(?:(\d+):([0-5]\d):([0-5]\d)|(\d+):([0-5]\d))(?:\.(\d{1,3}))?$/.exec(t);
  if (clock !== null) {
    const [, h, hm, hs, m, s, frac] = clock;
    const seconds =
      h !== undefined
        ? Number(h) * 3600 + Number(hm) * 60 + Number(hs)
        : Number(m) * 60 + Number(s);
    const millis = frac === undefined ? 0 : Number(frac.padEnd(3, "0"));
    return safe(seconds * 1000 + millis);
  }
  if (/^\d+$/.test(t)) {
    return safe(Number(t) * 1000);
  }
  const units = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/i.exec(t);
  if (units !== null) {
    const [, h = "0", m = "0", s = "0"] = units;
    return safe((Number(h) * 3600 + Number(m) * 60 + Number(s)) * 1000);
  }
  return null;
}

function safe(ms: number): number | null {
  return Number.isSafeInteger(ms) ? ms : null;
}

// ---- dates -------------------------------------------------------------------------------------

export const DATE_OPERATORS: ReadonlyArray<{ key: DateOpKey; label: string }> = [
  { key: "is", label: "is in" },
  { key: "before", label: "is before" },
  { key: "after", label: "is after" },
  { key: "in_range", label: "is between" },
  { key: "in_the_last", label: "is in the last" },
  { key: "not_in_the_last", label: "is not in the last" },
];

export function dateOpKey(op: DateOp): DateOpKey {
  return onlyKey(op);
}

export function isRelativeKey(key: DateOpKey): key is "in_the_last" | "not_in_the_last" {
  return key === "in_the_last" || key === "not_in_the_last";
}

/** The dates of an absolute operator, or the span of a relative one. */
export function dateParts(
  op: DateOp,
): { key: DateOpKey; dates: [string] | [string, string] } | { key: DateOpKey; span: RelativeSpan } {
  if ("in_the_last" in op) {
    return { key: "in_the_last", span: op.in_the_last };
  }
  if ("not_in_the_last" in op) {
    return { key: "not_in_the_last", span: op.not_in_the_last };
  }
  if ("in_range" in op) {
    return { key: "in_range", dates: op.in_range };
  }
  if ("is" in op) {
    return { key: "is", dates: [op.is] };
  }
  if ("before" in op) {
    return { key: "before", dates: [op.before] };
  }
  return { key: "after", dates: [op.after] };
}

/** Another date operator, keeping the date (or the span) when the new one takes it. */
export function changeDateOp(op: DateOp, key: DateOpKey, today: Date = new Date()): DateOp {
  const parts = dateParts(op);
  const span: RelativeSpan = "span" in parts ? parts.span : { amount: 30, unit: "days" };
  const first = "dates" in parts ? parts.dates[0] : String(today.getFullYear());
  const second = "dates" in parts ? (parts.dates[1] ?? first) : first;
  switch (key) {
    case "is":
      return { is: first };
    case "before":
      return { before: first };
    case "after":
      return { after: first };
    case "in_range":
      return { in_range: [first, second] };
    case "in_the_last":
      return { in_the_last: span };
    case "not_in_the_last":
      return { not_in_the_last: span };
  }
}

/** Whether `text` is a real date as `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (what the shell accepts). */
/**
 * Whether a date range is empty: at the precision both dates have, the first comes after the
 * second ("2016" after "2015-12"), as the app's check says. Within one coarse date it is not
 * ("2015-06" to "2015": June to December 2015).
 */
export function datesReversed(from: string, to: string): boolean {
  const n = Math.min(from.length, to.length);
  return from.slice(0, n) > to.slice(0, n);
}

export function isPartialDate(text: string): boolean {
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(text);
  if (match === null) {
    return false;
  }
  const [, year, month, day] = match;
  if (month === undefined) {
    return true;
  }
  const m = Number(month);
  if (m < 1 || m > 12) {
    return false;
  }
  if (day === undefined) {
    return true;
  }
  const d = Number(day);
  return d >= 1 && d <= daysInMonth(Number(year), m);
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 31;
}

/** The units a span is shown in. Years are twelve months, as in the query language (`1y`). */
export type SpanDisplayUnit = "days" | "weeks" | "months" | "years";

export const SPAN_UNITS: ReadonlyArray<{ key: SpanDisplayUnit; label: string }> = [
  { key: "days", label: "days" },
  { key: "weeks", label: "weeks" },
  { key: "months", label: "months" },
  { key: "years", label: "years" },
];

/** How a stored span is first shown: whole years as years. */
export function displaySpan(span: RelativeSpan): { amount: number; unit: SpanDisplayUnit } {
  if (span.unit === "months" && span.amount > 0 && span.amount % 12 === 0) {
    return { amount: span.amount / 12, unit: "years" };
  }
  return { amount: span.amount, unit: span.unit };
}

export function toSpan(amount: number, unit: SpanDisplayUnit): RelativeSpan {
  return unit === "years" ? { amount: amount * 12, unit: "months" } : { amount, unit };
}

// ---- steps after matching ----------------------------------------------------------------------

/** Every step spelled out, absent ones as null, so the editor need not care what was omitted. */
export type Steps = {
  dedupe: Dedupe | null;
  order: SelectionOrder;
  per_artist: number | null;
  limit: Limit | null;
};

export function stepsOf(filter: Filter): Steps {
  const post = filter.post;
  return {
    dedupe: post?.dedupe ?? null,
    order: post?.order ?? "base_order",
    per_artist: post?.per_artist ?? null,
    limit: post?.limit ?? null,
  };
}

/** The filter with these steps, written as the shell writes them: empty parts left out. */
export function withSteps(filter: Filter, steps: Steps): Filter {
  const post: PostSteps = {};
  if (steps.dedupe !== null) {
    post.dedupe = steps.dedupe;
  }
  if (steps.order !== "base_order") {
    post.order = steps.order;
  }
  if (steps.per_artist !== null) {
    post.per_artist = steps.per_artist;
  }
  if (steps.limit !== null) {
    post.limit = steps.limit;
  }
  const { post: _, ...rest } = filter;
  return Object.keys(post).length === 0 ? rest : { ...rest, post };
}

export const ORDERS: ReadonlyArray<{ key: SelectionOrder; label: string; field: Field | null }> = [
  { key: "base_order", label: "Base playlist order", field: null },
  { key: "random", label: "Random (stays put while the base is unchanged)", field: null },
  { key: "most_recently_added", label: "Most recently added first", field: "added" },
  { key: "least_recently_added", label: "Least recently added first", field: "added" },
  { key: "newest_release", label: "Newest release first", field: "release" },
  { key: "oldest_release", label: "Oldest release first", field: "release" },
  { key: "most_popular", label: "Most popular first", field: "popularity" },
  { key: "least_popular", label: "Least popular first", field: "popularity" },
  { key: "shortest", label: "Shortest first", field: "duration" },
  { key: "longest", label: "Longest first", field: "duration" },
];

// ---- comparing filters -------------------------------------------------------------------------

/**
 * Whether two filters say the same, whatever the key order and whether defaults (`exact:
 * false`, base order, absent steps) are written out or left away.
 */
export function sameFilter(a: Filter, b: Filter): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(canonical);
  }
  if (typeof value !== "object" || value === null) {
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = canonical((value as Record<string, unknown>)[key]);
    const isDefault =
      v === null ||
      v === undefined ||
      (key === "exact" && v === false) ||
      (key === "order" && v === "base_order") ||
      (key === "post" && typeof v === "object" && Object.keys(v as object).length === 0);
    if (!isDefault) {
      out[key] = v;
    }
  }
  return out;
}
