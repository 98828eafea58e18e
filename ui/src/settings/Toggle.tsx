import { useId } from "react";

type ToggleProps = {
  label: string;
  description: string;
  checked: boolean;
  disabled: boolean;
  onChange: (checked: boolean) => void;
};

/** One yes/no setting: a labelled checkbox with a line saying what it does. */
export function Toggle({ label, description, checked, disabled, onChange }: ToggleProps) {
  const id = useId();
  return (
    <div className="setting">
      <input
        type="checkbox"
        id={id}
        className="setting__check"
        checked={checked}
        disabled={disabled}
        aria-describedby={`${id}-description`}
        onChange={(event) => onChange(event.target.checked)}
      />
      <div className="setting__text">
        <label htmlFor={id} className="setting__label">
          {label}
        </label>
        <p id={`${id}-description`} className="setting__description">
          {description}
        </p>
      </div>
    </div>
  );
}
