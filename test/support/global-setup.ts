/** Placeholder: starts shared services for the whole test run (MongoDB comes here). */
export default async function globalSetup(): Promise<void> {}
