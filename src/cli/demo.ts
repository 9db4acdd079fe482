export async function runDemo(_o: unknown, _out: unknown): Promise<{ lost: number; duplicates: number }> {
  throw new Error('demo: not yet');
}
