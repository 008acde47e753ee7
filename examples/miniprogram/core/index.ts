/** What lib/facegate.js exports to the pages: the client and the consent flow. */
export * from './client.ts';
export * from './consent.ts';
