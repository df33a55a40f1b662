import { ColumnsTable } from "./columns-table";

/** One row of a synthesis's totals by category: the category in words, its groups and participants. */
export interface CategoryTotalsRow {
  label: string;
  groups: number;
  participants: number;
}

/**
 * A synthesis's totals by category (the publish preview and a received synthesis): one row a
 * category, its groups and participants. The page names the columns, and marks the table with a
 * class or an id for its tests.
 */
export function CategoryTotalsTable(props: {
  class?: string | undefined;
  id?: string | undefined;
  caption?: string | undefined;
  columns: { category: string; groups: string; participants: string };
  rows: readonly CategoryTotalsRow[];
}) {
  const { columns } = props;
  return (
    <ColumnsTable
      class={props.class}
      id={props.id}
      caption={props.caption}
      columns={[columns.category, columns.groups, columns.participants]}
    >
      {props.rows.map((row) => (
        <tr>
          <th scope="row">{row.label}</th>
          <td>{row.groups}</td>
          <td>{row.participants}</td>
        </tr>
      ))}
    </ColumnsTable>
  );
}
