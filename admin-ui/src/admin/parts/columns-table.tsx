import type { Child } from "hono/jsx";

/**
 * A workspace table with named columns, scrollable on a phone: the page gives the column
 * headings (a null heading is a column this reader does not get, such as actions for a viewer)
 * and the body rows; a class or an id marks the table for its tests.
 */
export function ColumnsTable(props: {
  class?: string | undefined;
  id?: string | undefined;
  caption?: string | undefined;
  columns: ReadonlyArray<string | null>;
  children: Child;
}) {
  return (
    <div class="table-wrap">
      <table class={props.class} id={props.id}>
        {props.caption ? <caption>{props.caption}</caption> : null}
        <thead>
          <tr>
            {props.columns.map((heading) =>
              heading === null ? null : <th scope="col">{heading}</th>,
            )}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}
