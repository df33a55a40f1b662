import type { Child } from "hono/jsx";
import type { Translate } from "../i18n";
import { describedBy, Field, HintAndError, InlineChoice } from "./layout";

/**
 * Form controls the workspace pages share beside `Field` (layout.tsx): each is labelled, shows
 * its hint and error, and names them in `aria-describedby` with the ids `describedBy` gives, so
 * an error summary's link (`#f-<name>`) lands on the control.
 */

/** A labelled drop-down list; the options are its children. */
export function Select(props: {
  id: string;
  name: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  children: Child;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <HintAndError id={props.id} hint={props.hint} error={props.error} />
      <select
        id={props.id}
        name={props.name}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={describedBy(props.id, props.hint, props.error)}
      >
        {props.children}
      </select>
    </div>
  );
}

/** A labelled text area (`id` is `f-<name>`). */
export function TextArea(props: {
  name: string;
  label: string;
  rows: number;
  value?: string | undefined;
  hint?: string | undefined;
  error?: string | undefined;
}) {
  const id = `f-${props.name}`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <HintAndError id={id} hint={props.hint} error={props.error} />
      <textarea
        id={id}
        name={props.name}
        rows={props.rows}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={describedBy(id, props.hint, props.error)}
      >
        {props.value ?? ""}
      </textarea>
    </div>
  );
}

/** A group of checkboxes under one legend; each box has its own name (`prefix` + value). */
export function Checkboxes(props: {
  legend: string;
  prefix: string;
  options: Array<{ value: string; label: string }>;
  checked: readonly string[];
  error?: string | undefined;
  hint?: string | undefined;
}) {
  const id = `f-${props.prefix.replace(/_$/, "")}`;
  return (
    <fieldset aria-describedby={describedBy(id, props.hint, props.error)}>
      <legend>{props.legend}</legend>
      <HintAndError id={id} hint={props.hint} error={props.error} />
      {props.options.map((o) => (
        <InlineChoice
          type="checkbox"
          id={`${id}-${o.value}`}
          name={`${props.prefix}${o.value}`}
          value="1"
          checked={props.checked.includes(o.value)}
        >
          {o.label}
        </InlineChoice>
      ))}
    </fieldset>
  );
}

/**
 * One choice among a few, as radio buttons under a legend; button ids are `<id>-<value>`, the
 * error (when there is one) is `<id>-error` and the fieldset names it.
 */
export function RadioChoices(props: {
  id: string;
  name: string;
  legend: string;
  options: ReadonlyArray<{ value: string; label: string }>;
  checked: string;
  error?: string | undefined;
}) {
  return (
    <fieldset aria-describedby={describedBy(props.id, undefined, props.error)}>
      <legend>{props.legend}</legend>
      <HintAndError id={props.id} error={props.error} />
      {props.options.map((o) => (
        <InlineChoice
          type="radio"
          id={`${props.id}-${o.value}`}
          name={props.name}
          value={o.value}
          checked={props.checked === o.value}
        >
          {o.label}
        </InlineChoice>
      ))}
    </fieldset>
  );
}

/** An account's email address (`f-email`); `autocomplete="username"` where a browser should fill it. */
export function EmailField(props: {
  t: Translate;
  value?: string | undefined;
  error?: string | undefined;
  autocomplete?: "username";
}) {
  return (
    <Field
      name="email"
      type="email"
      label={props.t("field.email")}
      value={props.value}
      error={props.error}
      {...(props.autocomplete ? { autocomplete: props.autocomplete } : {})}
      required
    />
  );
}

/** A required password field: the one held (`current-password`) or one being chosen or repeated. */
export function PasswordField(props: {
  name: string;
  label: string;
  autocomplete: "current-password" | "new-password";
  hint?: string | undefined;
  error?: string | undefined;
}) {
  return (
    <Field
      name={props.name}
      type="password"
      label={props.label}
      hint={props.hint}
      error={props.error}
      autocomplete={props.autocomplete}
      required
    />
  );
}

/** A password being chosen, its minimum length as the hint. */
export function NewPasswordField(props: {
  t: Translate;
  name: string;
  label: string;
  minLength: number;
  error?: string | undefined;
}) {
  return (
    <PasswordField
      name={props.name}
      label={props.label}
      hint={props.t("hint.password", { min: props.minLength })}
      error={props.error}
      autocomplete="new-password"
    />
  );
}

/** A territory's languages (`f-languages`, required): codes separated by commas. */
export function LanguagesField(props: {
  t: Translate;
  value?: string | undefined;
  error?: string | undefined;
}) {
  return (
    <Field
      name="languages"
      label={props.t("field.languages")}
      value={props.value}
      error={props.error}
      required
    />
  );
}

/** A territory's region (`f-region`, optional): an ISO 3166-2 code or a name. */
export function RegionField(props: {
  t: Translate;
  value?: string | undefined;
  error?: string | undefined;
}) {
  return (
    <Field name="region" label={props.t("field.region")} value={props.value} error={props.error} />
  );
}
