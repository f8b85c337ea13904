import { within } from "@testing-library/react";

/** The text of each row of the table named ``name``, cell by cell (the header row left out). */
export function rowTexts(name: string): string[][] {
  const table = within(document.body).getByRole("table", { name });
  return within(table)
    .getAllByRole("row")
    .slice(1)
    .map((row) =>
      within(row)
        .getAllByRole("cell")
        .map((cell) => cell.textContent ?? ""),
    );
}
