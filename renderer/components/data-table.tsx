// A table in the console's look (table.data) that scrolls sideways in a narrow window. Its columns
// are named once, so the row that says there is nothing to show spans them all; a column of
// numbers can sort the rows (its heading is a button, aria-sort says how it sorts).
import type { ReactNode } from 'react';

/** How a column sorts the rows now (null: it does not), and what a press on its heading does. */
export interface ColumnSort {
  direction: 'ascending' | 'descending' | null;
  onSort(): void;
}

/** A column's heading; { num } right-aligns a column of numbers; { action } is a column of buttons, named for screen readers only. */
export type Column = string | { num: string; sort?: ColumnSort } | { action: string };

interface Props {
  columns: readonly Column[];
  /** A row across all columns, e.g. "No accounts." when there are none. */
  empty?: ReactNode;
  className?: string;
  testId?: string;
  /** The table's <tbody> elements. */
  children: ReactNode;
}

export function DataTable({ columns, empty, className, testId, children }: Props) {
  return (
    <div className="table-scroll">
      <table className={className ? `data ${className}` : 'data'} data-testid={testId}>
        <thead>
          <tr>{columns.map(heading)}</tr>
        </thead>
        {empty && (
          <tbody>
            <tr>
              <td colSpan={columns.length} className="muted">
                {empty}
              </td>
            </tr>
          </tbody>
        )}
        {children}
      </table>
    </div>
  );
}

function heading(column: Column, index: number) {
  if (typeof column === 'string') {
    return (
      <th key={index} scope="col">
        {column}
      </th>
    );
  }
  if ('num' in column) {
    const { sort } = column;
    if (!sort) {
      return (
        <th key={index} scope="col" className="num">
          {column.num}
        </th>
      );
    }
    return (
      <th key={index} scope="col" className="num" aria-sort={sort.direction ?? 'none'}>
        <button type="button" className="sort-button" onClick={sort.onSort}>
          {column.num}
          <span className="sort-mark" aria-hidden="true">
            {sort.direction === 'ascending' ? '▲' : sort.direction === 'descending' ? '▼' : ''}
          </span>
        </button>
      </th>
    );
  }
  return (
    <th key={index} scope="col" className="action">
      <span className="visually-hidden">{column.action}</span>
    </th>
  );
}
