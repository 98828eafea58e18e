import { useId, useRef } from "react";
import type { QueryError } from "../api/filters";

/** Where the text box stands with respect to the rules. */
export type QueryStatus =
  /** The text and the rules say the same. */
  | { kind: "ok" }
  /** An edit is being read or written; the other side follows in a moment. */
  | { kind: "checking" }
  /** The text is not a query (`error` says where), or the shell could not answer. */
  | { kind: "invalid"; message: string; error: QueryError | null };

type QueryTextProps = {
  text: string;
  onChange: (text: string) => void;
  status: QueryStatus;
  disabled?: boolean | undefined;
};

/** How many characters around the error the caret line shows. */
const CONTEXT = 36;

/** The query as text, with a parse error shown under it: the message and a caret at its column. */
export function QueryText({ text, onChange, status, disabled = false }: QueryTextProps) {
  const id = useId();
  const statusId = useId();
  const helpId = useId();
  const input = useRef<HTMLTextAreaElement>(null);
  const invalid = status.kind === "invalid";

  function goTo(column: number) {
    const area = input.current;
    if (area === null) {
      return;
    }
    // Columns count characters; the text box counts UTF-16 units.
    const offset = Array.from(text)
      .slice(0, Math.max(0, column - 1))
      .join("").length;
    area.focus();
    area.setSelectionRange(offset, offset);
  }

  return (
    <div className="query-text">
      <label htmlFor={id} className="query-text__label">
        Query
      </label>
      <textarea
        id={id}
        ref={input}
        className="input input--mono query-text__input"
        data-testid="query-text"
        rows={2}
        value={text}
        spellCheck={false}
        autoComplete="off"
        autoCapitalize="off"
        disabled={disabled}
        aria-invalid={invalid}
        aria-describedby={`${statusId} ${helpId}`}
        onChange={(event) => onChange(event.target.value)}
      />
      <div id={statusId} className="query-text__status" aria-live="polite">
        {status.kind === "invalid" ? (
          <div className="query-error" data-testid="query-error">
            <p className="query-error__message">{status.message}</p>
            {status.error === null ? null : (
              <>
                <pre className="query-error__caret" aria-hidden="true" data-testid="query-caret">
                  {caretLines(text, status.error.column)}
                </pre>
                <button
                  type="button"
                  className="button button--link small"
                  onClick={() => status.error !== null && goTo(status.error.column)}
                >
                  Go to column {status.error.column}
                </button>
              </>
            )}
          </div>
        ) : null}
      </div>
      <p id={helpId} className="query-text__help">
        Edit the rules or this query; each follows the other. For example{" "}
        <code>genre:rock year:2015..2020 -explicit | limit 50 by -added</code>
        {status.kind === "checking" ? (
          <span className="query-text__checking"> · checking…</span>
        ) : null}
      </p>
    </div>
  );
}

/**
 * The text around `column` on one line and a caret under that column on the next. Long queries
 * are cut to the part around the error, with "…" where they were cut.
 */
export function caretLines(text: string, column: number): string {
  const chars = Array.from(text.replace(/[\r\n\t]/g, " "));
  const at = Math.min(Math.max(column - 1, 0), chars.length);
  const start = Math.max(0, at - CONTEXT);
  const end = Math.min(chars.length, at + CONTEXT);
  const before = start > 0 ? "…" : "";
  const after = end < chars.length ? "…" : "";
  const line = `${before}${chars.slice(start, end).join("")}${after}`;
  const caret = `${" ".repeat(before.length + at - start)}^`;
  return `${line}\n${caret}`;
}
