// Every list in the slice is sorted and free of repeats; these make both one step.

/** Sorted, de-duplicated copy (code-unit order). */
export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Sorted, de-duplicated numbers. */
export function sortedNumbers(values: Iterable<number>): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}
