import { useId, useState } from "react";
import type { CompareOp } from "../bindings/CompareOp";
import type { FieldInfo } from "../bindings/FieldInfo";
import type { RelativeSpan } from "../bindings/RelativeSpan";
import type { Rule } from "../bindings/Rule";
import type { TextOp } from "../bindings/TextOp";
import { DraftInput, Select, TextValueInput, ValuesInput } from "./inputs";
import {
  type CompareKey,
  changeCompareOp,
  changeDateOp,
  changeTextOp,
  compareOperators,
  compareParts,
  DATE_OPERATORS,
  dateOpKey,
  dateParts,
  datesReversed,
  displaySpan,
  formatDuration,
  isPartialDate,
  isRangeKey,
  makeCompareOp,
  makeTextOp,
  parseCount,
  parseDuration,
  parseWholeNumber,
  QUANTIFIERS,
  SPAN_UNITS,
  type SpanDisplayUnit,
  TEXT_OPERATORS,
  textOpKey,
  textOpValue,
  toSpan,
  withExact,
} from "./model";

type RuleEditorProps = {
  rule: Rule;
  /** The field's catalogue entry (for examples, suggestions and list element names). */
  info: FieldInfo | undefined;
  onChange: (rule: Rule) => void;
  disabled: boolean;
};

/** The operator and value controls of one rule, as its field's kind calls for. */
export function RuleEditor({ rule, info, onChange, disabled }: RuleEditorProps) {
  switch (rule.type) {
    case "text":
      return (
        <TextRuleEditor
          op={rule.op}
          exact={rule.exact === true}
          info={info}
          disabled={disabled}
          onChange={(op, exact) => onChange(withExact({ ...rule, op }, exact))}
        />
      );
    case "list": {
      const element = info?.element ?? "value";
      return (
        <>
          <Select
            label="Which elements"
            className="rule__quantifier"
            value={rule.quantifier}
            options={QUANTIFIERS.map((q) => ({ key: q.key, label: q.label(element) }))}
            disabled={disabled}
            onChange={(quantifier) => onChange({ ...rule, quantifier })}
          />
          <TextRuleEditor
            op={rule.op}
            exact={rule.exact === true}
            info={info}
            disabled={disabled}
            onChange={(op, exact) => onChange(withExact({ ...rule, op }, exact))}
          />
        </>
      );
    }
    case "number":
      return (
        <CompareEditor
          kind="number"
          op={rule.op}
          format={String}
          parse={(text) => {
            const n = parseWholeNumber(text);
            return n !== null && inRange(n, info) ? n : null;
          }}
          invalidHint={numberHint(info)}
          placeholder={info?.example}
          disabled={disabled}
          onChange={(op) => onChange({ ...rule, op })}
        />
      );
    case "duration":
      return (
        <CompareEditor
          kind="duration"
          op={rule.op}
          format={formatDuration}
          parse={parseDuration}
          invalidHint="Write a length like 4:30 or 1:02:03."
          placeholder="m:ss"
          disabled={disabled}
          onChange={(op) => onChange({ ...rule, op })}
        />
      );
    case "date": {
      const parts = dateParts(rule.op);
      const key = dateOpKey(rule.op);
      return (
        <>
          <Select
            label="Operator"
            className="rule__operator"
            value={key}
            options={DATE_OPERATORS}
            disabled={disabled}
            onChange={(next) => onChange({ ...rule, op: changeDateOp(rule.op, next) })}
          />
          {"span" in parts ? (
            <SpanInput
              span={parts.span}
              disabled={disabled}
              onChange={(span) =>
                onChange({
                  ...rule,
                  op: key === "not_in_the_last" ? { not_in_the_last: span } : { in_the_last: span },
                })
              }
            />
          ) : (
            <DateValues
              dates={parts.dates}
              range={isRangeKey(key)}
              disabled={disabled}
              onChange={(dates) => onChange({ ...rule, op: withDates(key, dates) })}
            />
          )}
        </>
      );
    }
    case "playlist":
      return (
        <PlaylistRuleEditor
          playlist={rule.playlist}
          info={info}
          disabled={disabled}
          onChange={(playlist) => onChange({ ...rule, playlist })}
        />
      );
    case "bool":
      return (
        <Select
          label="Operator"
          className="rule__operator"
          value={rule.value ? "true" : "false"}
          options={[
            { key: "true", label: "is yes" },
            { key: "false", label: "is no" },
          ]}
          disabled={disabled}
          onChange={(value) => onChange({ ...rule, value: value === "true" })}
        />
      );
  }
}

type PlaylistRuleEditorProps = {
  playlist: string;
  info: FieldInfo | undefined;
  onChange: (playlist: string) => void;
  disabled: boolean;
};

/** "is in" a playlist named by its name (offered from the connection's playlists) or id. */
function PlaylistRuleEditor({ playlist, info, onChange, disabled }: PlaylistRuleEditorProps) {
  const listId = useId();
  const suggestions = info?.suggestions ?? [];
  return (
    <>
      <span className="rule__operator rule__operator--fixed">is in</span>
      <TextValueInput
        value={playlist}
        label="Playlist"
        placeholder={info?.example === undefined ? "Playlist name" : `e.g. ${info.example}`}
        list={suggestions.length > 0 ? listId : undefined}
        disabled={disabled}
        onChange={onChange}
      />
      {suggestions.length > 0 ? (
        <datalist id={listId}>
          {suggestions.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      ) : null}
    </>
  );
}

function inRange(n: number, info: FieldInfo | undefined): boolean {
  return (info?.min ?? -Infinity) <= n && n <= (info?.max ?? Infinity);
}

function numberHint(info: FieldInfo | undefined): string {
  const min = info?.min ?? null;
  const max = info?.max ?? null;
  if (min !== null && max !== null) {
    return `Write a whole number from ${min} to ${max}.`;
  }
  if (min !== null) {
    return `Write a whole number of at least ${min}.`;
  }
  return "Write a whole number.";
}

function withDates(
  key: ReturnType<typeof dateOpKey>,
  dates: [string] | [string, string],
): Extract<Rule, { type: "date" }>["op"] {
  const [first, second = first] = dates;
  switch (key) {
    case "before":
      return { before: first };
    case "after":
      return { after: first };
    case "in_range":
      return { in_range: [first, second] };
    default:
      return { is: first };
  }
}

type TextRuleEditorProps = {
  op: TextOp;
  exact: boolean;
  info: FieldInfo | undefined;
  onChange: (op: TextOp, exact: boolean) => void;
  disabled: boolean;
};

function TextRuleEditor({ op, exact, info, onChange, disabled }: TextRuleEditorProps) {
  const listId = useId();
  const exactId = useId();
  const key = textOpKey(op);
  const value = textOpValue(op);
  const suggestions = info?.suggestions ?? [];
  const list = suggestions.length > 0 ? listId : undefined;
  return (
    <>
      <Select
        label="Operator"
        className="rule__operator"
        value={key}
        options={TEXT_OPERATORS}
        disabled={disabled}
        onChange={(next) => onChange(changeTextOp(op, next), exact)}
      />
      {typeof value === "string" ? (
        <TextValueInput
          label={key === "matches" ? "Pattern (regular expression)" : "Value"}
          value={value}
          mono={key === "matches"}
          placeholder={key === "matches" ? "regular expression" : info?.example}
          list={list}
          disabled={disabled}
          onChange={(text) => onChange(makeTextOp(key, text), exact)}
        />
      ) : (
        <ValuesInput
          label="Values"
          values={value}
          placeholder={
            info?.example === undefined ? "type and press Enter" : `e.g. ${info.example}`
          }
          list={list}
          disabled={disabled}
          onChange={(values) => onChange({ is_one_of: values }, exact)}
        />
      )}
      {list === undefined ? null : (
        <datalist id={listId}>
          {suggestions.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      )}
      <span className="check" title="Match case and accents exactly (Beyoncé is not beyonce)">
        <input
          id={exactId}
          type="checkbox"
          checked={exact}
          disabled={disabled}
          onChange={(event) => onChange(op, event.target.checked)}
        />
        <label htmlFor={exactId}>Exact</label>
      </span>
    </>
  );
}

type CompareEditorProps<T> = {
  kind: "number" | "duration";
  op: CompareOp<T>;
  format: (value: T) => string;
  parse: (text: string) => T | null;
  invalidHint: string;
  placeholder?: string | undefined;
  onChange: (op: CompareOp<T>) => void;
  disabled: boolean;
};

function CompareEditor<T>({
  kind,
  op,
  format,
  parse,
  invalidHint,
  placeholder,
  onChange,
  disabled,
}: CompareEditorProps<T>) {
  const { key, values } = compareParts(op);
  const [first, second] = values;
  const range = isRangeKey(key);
  const commit = (k: CompareKey, a: T, b: T | undefined) => onChange(makeCompareOp(k, a, b ?? a));
  return (
    <>
      <Select
        label="Operator"
        className="rule__operator"
        value={key}
        options={compareOperators(kind)}
        disabled={disabled}
        onChange={(next) => onChange(changeCompareOp(op, next))}
      />
      <DraftInput
        label={range ? "From" : "Value"}
        value={first}
        format={format}
        parse={parse}
        invalidHint={invalidHint}
        placeholder={placeholder}
        inputMode={kind === "number" ? "numeric" : "text"}
        width="narrow"
        disabled={disabled}
        onCommit={(a) => commit(key, a, second)}
      />
      {range && second !== undefined ? (
        <>
          <span className="rule__and" aria-hidden="true">
            and
          </span>
          <DraftInput
            label="To"
            value={second}
            format={format}
            parse={parse}
            invalidHint={invalidHint}
            placeholder={placeholder}
            inputMode={kind === "number" ? "numeric" : "text"}
            width="narrow"
            disabled={disabled}
            onCommit={(b) => commit(key, first, b)}
          />
          {typeof first === "number" && typeof second === "number" && first > second ? (
            <RangeHint />
          ) : null}
        </>
      ) : null}
    </>
  );
}

/**
 * Under a range that starts after it ends. The app refuses such a rule (`year:5..1`) and the
 * query shows that error at its column; this says it where the values are typed.
 */
function RangeHint() {
  return (
    <span className="value-input__hint" role="note">
      This range starts after it ends, so no track can match it: put the smaller value first.
    </span>
  );
}

const DATE_HINT = "Write a date as YYYY, YYYY-MM or YYYY-MM-DD.";

function DateValues({
  dates,
  range,
  onChange,
  disabled,
}: {
  dates: [string] | [string, string];
  range: boolean;
  onChange: (dates: [string] | [string, string]) => void;
  disabled: boolean;
}) {
  const [first, second = first] = dates;
  const parse = (text: string) => (isPartialDate(text.trim()) ? text.trim() : null);
  return (
    <>
      <DraftInput
        label={range ? "From" : "Date"}
        value={first}
        format={(d: string) => d}
        parse={parse}
        invalidHint={DATE_HINT}
        placeholder="YYYY-MM-DD"
        width="medium"
        disabled={disabled}
        onCommit={(d) => onChange(range ? [d, second] : [d])}
      />
      {range ? (
        <>
          <span className="rule__and" aria-hidden="true">
            and
          </span>
          <DraftInput
            label="To"
            value={second}
            format={(d: string) => d}
            parse={parse}
            invalidHint={DATE_HINT}
            placeholder="YYYY-MM-DD"
            width="medium"
            disabled={disabled}
            onCommit={(d) => onChange([first, d])}
          />
          {datesReversed(first, second) ? <RangeHint /> : null}
        </>
      ) : null}
    </>
  );
}

/** The most a span may count, in any unit: far beyond any playlist's age, within 32 bits. */
const MAX_SPAN = 100_000;

/**
 * "30 days", "2 years": an amount and a unit. Years are stored as twelve months, so the unit
 * chosen here is remembered while it can still show the stored span.
 */
function SpanInput({
  span,
  onChange,
  disabled,
}: {
  span: RelativeSpan;
  onChange: (span: RelativeSpan) => void;
  disabled: boolean;
}) {
  const [unit, setUnit] = useState<SpanDisplayUnit>(() => displaySpan(span).unit);
  const fits =
    unit === "years" ? span.unit === "months" && span.amount % 12 === 0 : unit === span.unit;
  if (!fits) {
    setUnit(displaySpan(span).unit);
  }
  const amount = unit === "years" && fits ? span.amount / 12 : span.amount;
  return (
    <>
      <DraftInput
        label="Amount"
        value={amount}
        format={String}
        parse={(text) => {
          const n = parseCount(text, 1);
          return n !== null && n <= MAX_SPAN ? n : null;
        }}
        invalidHint={`Write a whole number from 1 to ${MAX_SPAN}.`}
        inputMode="numeric"
        width="narrow"
        disabled={disabled}
        onCommit={(n) => onChange(toSpan(n, unit))}
      />
      <Select
        label="Unit"
        value={unit}
        options={SPAN_UNITS}
        disabled={disabled}
        onChange={(next) => {
          setUnit(next);
          onChange(toSpan(amount, next));
        }}
      />
    </>
  );
}
