/** A file had more rejected rows than --max-rejects allows: its batch is rolled back. */
export class MaxRejectsExceeded extends Error {}
