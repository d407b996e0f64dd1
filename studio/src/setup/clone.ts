/** A deep copy of plain JSON data, also when it comes through a reactive proxy (structuredClone refuses those). */
export const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
