/**
 * The READMEs' links: relative ones must name files that exist in the repository, and the published
 * README (the npm page, an installed package) may link only to what the package ships or, with an
 * absolute URL, to the repository; every in-page anchor must name a heading.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  repository: { url: string };
  homepage: string;
  files: string[];
};
/** `https://github.com/owner/name`, from `repository.url`. */
const repoUrl = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
const DOCS = [
  'README.md',
  'CHANGELOG.md',
  'adapters/README.md',
  'examples/ops/README.md',
  ...readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Link targets of a Markdown text, outside code blocks and code spans. */
function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  const inline = [...prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
    (m) => m[1]!,
  );
  const defs = [...prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map((m) => m[1]!);
  const html = [...prose.matchAll(/<(?:a|img)\s[^>]*(?:href|src)="([^"]+)"/g)].map((m) => m[1]!);
  return [...inline, ...defs, ...html];
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '');
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, heading] of prose.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = heading!
      .replace(/`/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

const isAbsolute = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target);

/** Problems with one document's links; `published` applies the package's rules. */
function problems(doc: string, text: string, published: boolean): string[] {
  const found: string[] = [];
  for (const target of linkTargets(text)) {
    if (target.startsWith('#')) {
      if (!anchors(text).has(decodeURIComponent(target.slice(1)))) found.push(`${target}: no such heading`);
      continue;
    }
    let repoPath: string | undefined;
    if (isAbsolute(target)) {
      const inRepo = target.match(
        new RegExp(`^${repoUrl.replace(/[.]/g, '\\.')}/(?:blob|tree)/[^/]+/([^#?]*)`),
      );
      if (inRepo) repoPath = decodeURIComponent(inRepo[1]!);
      else continue; // another site: not checked offline
    } else {
      const [file] = target.split(/[#?]/);
      repoPath = path.posix.normalize(path.posix.join(path.posix.dirname(doc), decodeURIComponent(file!)));
      const shipped = pkg.files.some(
        (f) => repoPath === f || repoPath!.startsWith(`${f.replace(/\/$/, '')}/`),
      );
      if (published && !shipped) {
        found.push(
          `${target}: not in the package (files: ${pkg.files.join(', ')}); link ${repoUrl}/blob/main/${repoPath}`,
        );
      }
    }
    const file = path.join(root, repoPath);
    if (!existsSync(file)) {
      found.push(`${target}: ${repoPath} does not exist`);
      continue;
    }
    const fragment = target.split('#')[1];
    if (fragment && file.endsWith('.md') && !anchors(readFileSync(file, 'utf8')).has(fragment)) {
      found.push(`${target}: no heading #${fragment} in ${repoPath}`);
    }
  }
  return found;
}

describe('README links', () => {
  it.each(DOCS)('%s links only to files and headings that exist', (doc) => {
    const text = readFileSync(path.join(root, doc), 'utf8');
    expect(problems(doc, text, false)).toEqual([]);
  });

  it('the published README links to repository files by absolute URL (the package ships dist and README only)', () => {
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'README.md']));
    expect(pkg.homepage.startsWith(repoUrl)).toBe(true);
    const text = readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(problems('README.md', text, true)).toEqual([]);
    expect(linkTargets(text).some((t) => t.startsWith(`${repoUrl}/blob/main/`))).toBe(true);
  });

  it('the README stays short and leads to every page of docs/', () => {
    const text = readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(text.split('\n').length).toBeLessThanOrEqual(350);
    const pages = DOCS.filter((d) => d.startsWith('docs/'));
    for (const page of ['contract', 'errors', 'operations', 'testing', 'benchmarks'])
      expect(pages).toContain(`docs/${page}.md`);
    const linked = linkTargets(text);
    expect(pages.filter((page) => !linked.includes(`${repoUrl}/blob/main/${page}`))).toEqual([]);
  });

  it("no document points at the team's design notes, which are not part of the product", () => {
    for (const doc of DOCS) {
      const text = readFileSync(path.join(root, doc), 'utf8');
      expect({ doc, found: text.match(/\b(?:CONTRACT|DESIGN|STYLE)\.md\b|\.\.\/shared\b/g) }).toEqual({
        doc,
        found: null,
      });
    }
  });

  it('catches broken links (the checker itself)', () => {
    const doc = [
      '# Title',
      '## Two words',
      'See [a](#two-words), [b](#missing), [c](adapters/README.md), [d](nope.md),',
      `[e](${repoUrl}/blob/main/adapters/README.md#writing-a-profile), [f](${repoUrl}/blob/main/gone.ts),`,
      '[g](adapters/README.md#no-such-part), `[h](in-code.md)`.',
      '```md',
      '[i](in-block.md)',
      '```',
      '[j]: ./also-missing.md',
    ].join('\n');
    expect(problems('README.md', doc, false)).toEqual([
      '#missing: no such heading',
      'nope.md: nope.md does not exist',
      `${repoUrl}/blob/main/gone.ts: gone.ts does not exist`,
      'adapters/README.md#no-such-part: no heading #no-such-part in adapters/README.md',
      './also-missing.md: also-missing.md does not exist',
    ]);
    expect(problems('README.md', '[x](adapters/README.md)', true)).toEqual([
      `adapters/README.md: not in the package (files: ${pkg.files.join(', ')}); link ${repoUrl}/blob/main/adapters/README.md`,
    ]);
  });
});
