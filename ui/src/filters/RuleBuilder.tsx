import { useEffect, useId, useRef, useState } from "react";
import type { Availability } from "../bindings/Availability";
import type { Field } from "../bindings/Field";
import type { FieldInfo } from "../bindings/FieldInfo";
import type { Group } from "../bindings/Group";
import type { GroupMode } from "../bindings/GroupMode";
import type { Node } from "../bindings/Node";
import { CloseIcon, DownIcon, PlusIcon, UpIcon } from "./icons";
import type { Path } from "./model";
import {
  appendChild,
  defaultRule,
  emptyGroup,
  fieldInfo,
  MAX_GROUP_DEPTH,
  moveNode,
  pathLabel,
  removeNode,
  replaceNode,
  withField,
} from "./model";
import { RuleEditor } from "./RuleEditor";

/** What a connection can tell about each field; fields left out are available. */
export type FieldAvailabilityMap = Partial<Record<Field, Availability>>;

export type RuleBuilderProps = {
  /** The top group (see `rootGroup`); a change hands back the whole new top group. */
  root: Group;
  onChange: (root: Group) => void;
  /** The field catalogue (`filter_fields`), in the order the field lists show. */
  fields: readonly FieldInfo[];
  availability?: FieldAvailabilityMap | undefined;
  disabled?: boolean | undefined;
};

type Ctx = {
  fields: readonly FieldInfo[];
  availability: FieldAvailabilityMap;
  disabled: boolean;
  /** Applies a change to the whole tree, then focuses the control named `focus`, if any. */
  edit: (change: (root: Group) => Group, focus?: string) => void;
};

/** The key a control is found by after an edit moves it: "r.0.1:up". */
function focusKey(path: Path, control: string): string {
  return `r${path.map((i) => `.${i}`).join("")}:${control}`;
}

/**
 * The visual rule builder: nested all/any/none groups of rules, each group a fieldset named
 * by its legend. Every control is a native one, reached with Tab; moving or removing a rule
 * keeps the keyboard focus on a sensible control instead of dropping it on the page.
 */
export function RuleBuilder({
  root,
  onChange,
  fields,
  availability = {},
  disabled = false,
}: RuleBuilderProps) {
  const container = useRef<HTMLDivElement>(null);
  const [focusTarget, setFocusTarget] = useState<string | null>(null);

  useEffect(() => {
    if (focusTarget === null) {
      return;
    }
    container.current?.querySelector<HTMLElement>(`[data-focus="${focusTarget}"]`)?.focus();
    setFocusTarget(null);
  }, [focusTarget]);

  const ctx: Ctx = {
    fields,
    availability,
    disabled,
    edit: (change, focus) => {
      onChange(change(root));
      if (focus !== undefined) {
        setFocusTarget(focus);
      }
    },
  };

  return (
    <div className="rule-builder" ref={container}>
      <GroupEditor group={root} path={[]} ctx={ctx} siblings={1} />
    </div>
  );
}

const MODES: ReadonlyArray<{ key: GroupMode; label: string }> = [
  { key: "all", label: "all of these" },
  { key: "any", label: "any of these" },
  { key: "none", label: "none of these" },
];

const EMPTY_TEXT: Record<GroupMode, string> = {
  all: "No rules yet: every track matches.",
  any: "No rules yet: no track matches.",
  none: "No rules yet: every track matches.",
};

type NodeProps = {
  path: Path;
  ctx: Ctx;
  /** How many children the parent group has, for the move buttons. */
  siblings: number;
};

function GroupEditor({ group, path, ctx, siblings }: NodeProps & { group: Group }) {
  const modeId = useId();
  const nested = path.length > 0;
  const name = nested ? `group ${pathLabel(path)}` : "rules";
  const depth = path.length;

  function addRule() {
    const first = ctx.fields[0];
    if (first === undefined) {
      return;
    }
    const node: Node = { rule: defaultRule(first) };
    ctx.edit(
      (root) => appendChild(root, path, node),
      focusKey([...path, group.children.length], "field"),
    );
  }

  function addGroup() {
    // A new group holds one rule to start from: an empty one would say nothing.
    const first = ctx.fields[0];
    const children: Node[] = first === undefined ? [] : [{ rule: defaultRule(first) }];
    ctx.edit(
      (root) => appendChild(root, path, { group: { ...emptyGroup("any"), children } }),
      focusKey([...path, group.children.length], "mode"),
    );
  }

  return (
    <fieldset
      className={`rule-group${nested ? " rule-group--nested" : ""}`}
      data-testid={`group-${pathLabel(path) || "root"}`}
    >
      <legend className="rule-group__legend">
        {nested ? `Group ${pathLabel(path)}` : "Rules"}
      </legend>
      <div className="rule-group__head">
        <label htmlFor={modeId} className="rule-group__label">
          Match
        </label>
        <select
          id={modeId}
          className="select"
          data-focus={focusKey(path, "mode")}
          value={group.mode}
          disabled={ctx.disabled}
          onChange={(event) => {
            const mode = MODES.find((m) => m.key === event.target.value)?.key;
            if (mode !== undefined) {
              ctx.edit((root) =>
                nested ? replaceNode(root, path, { group: { ...group, mode } }) : { ...root, mode },
              );
            }
          }}
        >
          {MODES.map((m) => (
            <option key={m.key} value={m.key}>
              {m.label}
            </option>
          ))}
        </select>
        {nested ? <NodeActions path={path} ctx={ctx} siblings={siblings} name={name} /> : null}
      </div>
      {group.children.length === 0 ? (
        <p className="rule-group__empty">{EMPTY_TEXT[group.mode]}</p>
      ) : (
        <ol className="rule-group__children">
          {group.children.map((child, index) => {
            const childPath = [...path, index];
            return (
              // Index keys keep each control (and its focus) in place while a value is typed.
              // biome-ignore lint/suspicious/noArrayIndexKey: nodes have no identity of their own.
              <li key={index} className="rule-group__child">
                {"group" in child ? (
                  <GroupEditor
                    group={child.group}
                    path={childPath}
                    ctx={ctx}
                    siblings={group.children.length}
                  />
                ) : (
                  <RuleRow
                    node={child}
                    path={childPath}
                    ctx={ctx}
                    siblings={group.children.length}
                  />
                )}
              </li>
            );
          })}
        </ol>
      )}
      <div className="rule-group__add">
        <button
          type="button"
          className="button button--small"
          data-focus={focusKey(path, "add-rule")}
          disabled={ctx.disabled || ctx.fields.length === 0}
          onClick={addRule}
          aria-label={nested ? `Add a rule to ${name}` : "Add a rule"}
        >
          <PlusIcon size={14} />
          Rule
        </button>
        {depth < MAX_GROUP_DEPTH ? (
          <button
            type="button"
            className="button button--small"
            disabled={ctx.disabled || ctx.fields.length === 0}
            onClick={addGroup}
            aria-label={nested ? `Add a group to ${name}` : "Add a group"}
          >
            <PlusIcon size={14} />
            Group
          </button>
        ) : null}
      </div>
    </fieldset>
  );
}

function RuleRow({
  node,
  path,
  ctx,
  siblings,
}: NodeProps & { node: Extract<Node, { rule: unknown }> }) {
  const rule = node.rule;
  const info = fieldInfo(ctx.fields, rule.field);
  const label = info?.label ?? rule.field;
  const name = `rule ${pathLabel(path)}`;
  const availability = ctx.availability[rule.field];
  const noteId = useId();
  const note = availabilityNote(label, availability);

  return (
    <fieldset
      className="rule"
      data-testid={`rule-${pathLabel(path)}`}
      aria-describedby={note === null ? undefined : noteId}
    >
      <legend className="visually-hidden">{`Rule ${pathLabel(path)}: ${label}`}</legend>
      <div className="rule__row">
        <div className="rule__controls">
          <FieldSelect
            value={rule.field}
            fields={ctx.fields}
            availability={ctx.availability}
            disabled={ctx.disabled}
            focus={focusKey(path, "field")}
            onChange={(next) => {
              ctx.edit((root) => replaceNode(root, path, { rule: withField(rule, next) }));
            }}
          />
          <RuleEditor
            rule={rule}
            info={info}
            disabled={ctx.disabled}
            onChange={(next) => ctx.edit((root) => replaceNode(root, path, { rule: next }))}
          />
        </div>
        <NodeActions path={path} ctx={ctx} siblings={siblings} name={name} />
      </div>
      {note === null ? null : (
        <p
          id={noteId}
          className={`rule__note rule__note--${availability?.state ?? "available"}`}
          data-testid="rule-note"
        >
          {note}
        </p>
      )}
    </fieldset>
  );
}

/** Why a rule on this field may leave tracks out, or null when the field is available. */
export function availabilityNote(
  label: string,
  availability: Availability | undefined,
): string | null {
  if (availability === undefined || availability.state === "available") {
    return null;
  }
  if (availability.state === "unavailable") {
    return `${label} cannot be known for this connection: ${availability.reason}. Tracks cannot be checked against this rule, so it leaves them out.`;
  }
  return `Syncer has not yet checked whether this connection provides ${label.toLowerCase()}; tracks it cannot check are left out.`;
}

function optionSuffix(availability: Availability | undefined): string {
  if (availability?.state === "unavailable") {
    return " (not available)";
  }
  if (availability?.state === "not_yet_known") {
    return " (may be unknown)";
  }
  return "";
}

type FieldSelectProps = {
  value: Field;
  fields: readonly FieldInfo[];
  availability: FieldAvailabilityMap;
  onChange: (field: FieldInfo) => void;
  focus: string;
  disabled: boolean;
};

/** The fields under their group headings, each marked when the connection cannot provide it. */
function FieldSelect({ value, fields, availability, onChange, focus, disabled }: FieldSelectProps) {
  const groups: string[] = [];
  for (const f of fields) {
    if (!groups.includes(f.group)) {
      groups.push(f.group);
    }
  }
  const known = fields.some((f) => f.field === value);
  return (
    <select
      className="select rule__field"
      aria-label="Field"
      data-focus={focus}
      value={value}
      disabled={disabled}
      onChange={(event) => {
        const next = fields.find((f) => f.field === event.target.value);
        if (next !== undefined) {
          onChange(next);
        }
      }}
    >
      {known ? null : <option value={value}>{value}</option>}
      {groups.map((group) => (
        <optgroup key={group} label={group}>
          {fields
            .filter((f) => f.group === group)
            .map((f) => (
              <option key={f.field} value={f.field}>
                {f.label}
                {optionSuffix(availability[f.field])}
              </option>
            ))}
        </optgroup>
      ))}
    </select>
  );
}

function NodeActions({ path, ctx, siblings, name }: NodeProps & { name: string }) {
  const index = path[path.length - 1] ?? 0;
  const parent = path.slice(0, -1);
  const at = (i: number, control: string) => focusKey([...parent, i], control);

  function move(delta: number) {
    const target = index + delta;
    // Follow the moved node; at either end its button in that direction is disabled.
    const control =
      delta < 0 ? (target === 0 ? "down" : "up") : target === siblings - 1 ? "up" : "down";
    ctx.edit((root) => moveNode(root, path, delta), at(target, control));
  }

  function remove() {
    const focus =
      index < siblings - 1
        ? at(index, "remove")
        : index > 0
          ? at(index - 1, "remove")
          : focusKey(parent, "add-rule");
    ctx.edit((root) => removeNode(root, path), focus);
  }

  return (
    <div className="node-actions">
      <button
        type="button"
        className="icon-button"
        aria-label={`Move ${name} up`}
        title="Move up"
        data-focus={focusKey(path, "up")}
        disabled={ctx.disabled || index === 0}
        onClick={() => move(-1)}
      >
        <UpIcon />
      </button>
      <button
        type="button"
        className="icon-button"
        aria-label={`Move ${name} down`}
        title="Move down"
        data-focus={focusKey(path, "down")}
        disabled={ctx.disabled || index >= siblings - 1}
        onClick={() => move(1)}
      >
        <DownIcon />
      </button>
      <button
        type="button"
        className="icon-button icon-button--danger"
        aria-label={`Remove ${name}`}
        title="Remove"
        data-focus={focusKey(path, "remove")}
        disabled={ctx.disabled}
        onClick={remove}
      >
        <CloseIcon />
      </button>
    </div>
  );
}
