import { writeFile } from 'node:fs/promises';
import { renderDataflowDocument } from './document.js';

/** Writes the dataflow document, generated now, to `path` (the CLI behind `npm run docs:dataflow`). */
export async function writeDataflowDocument(path: string, generatedAt: Date = new Date()): Promise<void> {
  await writeFile(path, renderDataflowDocument(generatedAt), 'utf8');
}
