#!/usr/bin/env node
/**
 * The public surface of each package entry, as text checked in under `api/`, so that an export
 * that changes shows in review. Read from the built declarations (`dist/<entry>.d.ts`, `npm run
 * build` first) with the TypeScript compiler API: the entry's exports by name and kind, then every
 * declaration its files hold (exported or only referenced), comments dropped, sorted by name.
 *
 *   node --import tsx scripts/api-report.ts          writes api/*.api.md (`npm run api:update`)
 *   node --import tsx scripts/api-report.ts --check  exits 1 naming the reports out of date
 *
 * `test/packaging/api-report.test.ts` runs the check, and compares the CommonJS declarations'
 * report with the ES module one.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const API_DIR = path.join(root, 'api');

/** The package's entries (`exports` subpaths with types), e.g. `.` and `./adapters`. */
export interface Entry {
  subpath: string;
  name: string;
  esm: string;
  cjs: string;
}

export function entries(): Entry[] {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const exports = pkg.exports as Record<
    string,
    string | { import: { types: string }; require: { types: string } }
  >;
  return Object.entries(exports)
    .filter(
      (e): e is [string, { import: { types: string }; require: { types: string } }] =>
        typeof e[1] === 'object',
    )
    .map(([subpath, target]) => ({
      subpath,
      name: subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`,
      esm: path.join(root, target.import.types),
      cjs: path.join(root, target.require.types),
    }));
}

/** `api/index.api.md` for `.`, `api/adapters.api.md` for `./adapters`. */
export function reportFile(subpath: string): string {
  return path.join(API_DIR, `${subpath === '.' ? 'index' : subpath.slice(2)}.api.md`);
}

function kindOf(symbol: ts.Symbol): string {
  const f = symbol.flags;
  if (f & ts.SymbolFlags.Class) return 'class';
  if (f & ts.SymbolFlags.Function) return 'function';
  if (f & ts.SymbolFlags.Variable) return 'const';
  if (f & ts.SymbolFlags.Enum) return 'enum';
  if (f & ts.SymbolFlags.Interface) return 'interface';
  if (f & ts.SymbolFlags.TypeAlias) return 'type';
  if (f & ts.SymbolFlags.Module) return 'namespace';
  return 'other';
}

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

/** Top-level declaration statements of a declaration file, printed without comments. */
function declarations(file: ts.SourceFile): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  for (const stmt of file.statements) {
    if (ts.isImportDeclaration(stmt) || ts.isExportDeclaration(stmt) || ts.isExportAssignment(stmt)) continue;
    const name = ts.isVariableStatement(stmt)
      ? stmt.declarationList.declarations.map((d) => d.name.getText(file)).join(', ')
      : ((stmt as { name?: ts.Node }).name?.getText(file) ?? '');
    out.push({ name, text: printer.printNode(ts.EmitHint.Unspecified, stmt, file) });
  }
  return out;
}

/** The entry file and the chunks it imports by relative path (`./tls-<hash>.js`): the package's own files. */
function ownFiles(dtsFile: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    for (const stmt of source.statements) {
      const spec = (ts.isImportDeclaration(stmt) || ts.isExportDeclaration(stmt)) && stmt.moduleSpecifier;
      if (!spec || !ts.isStringLiteral(spec) || !spec.text.startsWith('.')) continue;
      visit(
        path.resolve(path.dirname(file), spec.text.replace(/\.js$/, '.d.ts').replace(/\.cjs$/, '.d.cts')),
      );
    }
  };
  visit(dtsFile);
  return [...seen];
}

/** Reports of several entries (`[name, dist/x.d.ts]`), read with one compiler program. */
export function reports(list: readonly (readonly [name: string, dtsFile: string])[]): string[] {
  for (const [, file] of list) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  }
  const program = ts.createProgram(
    list.map(([, file]) => file),
    {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      noEmit: true,
      types: [],
    },
  );
  const checker = program.getTypeChecker();
  return list.map(([name, dtsFile]) => {
    const entry = program.getSourceFile(dtsFile);
    const moduleSymbol = entry && checker.getSymbolAtLocation(entry);
    if (!entry || !moduleSymbol) throw new Error(`${dtsFile} is not a module`);
    const exports = checker
      .getExportsOfModule(moduleSymbol)
      .map((s) => {
        const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
        return `${kindOf(target).padEnd(9)} ${s.getName()}`;
      })
      .sort((a, b) => a.slice(10).localeCompare(b.slice(10)) || a.localeCompare(b));
    // The declarations wherever the bundler put them, exported or only referenced (a changed
    // helper type changes what the exports accept).
    const decls = ownFiles(dtsFile)
      .map((f) => program.getSourceFile(f)!)
      .flatMap(declarations)
      .sort((a, b) => a.name.localeCompare(b.name) || a.text.localeCompare(b.text));
    return [
      `# API report: ${name}`,
      '',
      'Generated by `npm run api:update` from the built declarations; do not edit by hand.',
      '',
      '## Exports',
      '',
      '```text',
      ...exports,
      '```',
      '',
      '## Declarations',
      '',
      '```ts',
      decls.map((d) => d.text).join('\n\n'),
      '```',
      '',
    ].join('\n');
  });
}

/** The report of one declaration entry file (`dist/index.d.ts` or `dist/index.d.cts`). */
export function report(name: string, dtsFile: string): string {
  return reports([[name, dtsFile]])[0]!;
}

/** Whether a type node admits `undefined` (`T | undefined`, `unknown`, `any`). */
function admitsUndefined(type: ts.TypeNode | undefined): boolean {
  if (!type) return false;
  const k = type.kind;
  if (
    k === ts.SyntaxKind.UndefinedKeyword ||
    k === ts.SyntaxKind.UnknownKeyword ||
    k === ts.SyntaxKind.AnyKeyword
  )
    return true;
  if (ts.isParenthesizedTypeNode(type)) return admitsUndefined(type.type);
  return ts.isUnionTypeNode(type) && type.types.some(admitsUndefined);
}

/**
 * Optional members of the package's declarations that refuse an explicit `undefined` under
 * `exactOptionalPropertyTypes` (`policy?: Policy` rather than `policy?: Policy | undefined`), as
 * `Owner.member`: a consumer passing `{ policy: config.policy }` would get TS2379.
 */
export function optionalWithoutUndefined(dtsFile: string): string[] {
  const found = new Set<string>();
  for (const fileName of ownFiles(dtsFile)) {
    const file = ts.createSourceFile(fileName, readFileSync(fileName, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node, owner: string): void => {
      // `S extends { personalData?: infer P }` tests a type; nobody writes that object.
      if (ts.isConditionalTypeNode(node)) return;
      const named =
        ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isClassDeclaration(node);
      const inner = named && node.name ? node.name.text : owner;
      const member =
        ts.isPropertySignature(node) || ts.isMethodSignature(node) || ts.isPropertyDeclaration(node);
      if (member && node.questionToken && (ts.isMethodSignature(node) || !admitsUndefined(node.type))) {
        found.add(`${inner}.${node.name.getText(file)}`);
      }
      if (ts.isMappedTypeNode(node) && node.questionToken?.kind === ts.SyntaxKind.QuestionToken) {
        if (!admitsUndefined(node.type)) found.add(`${inner}.[mapped]`);
      }
      ts.forEachChild(node, (child) => visit(child, inner));
    };
    visit(file, '');
  }
  return [...found].sort();
}

/** Entries whose checked-in report differs from the built declarations (`check`), or writes them. */
export function run({ check }: { check: boolean }): string[] {
  const stale: string[] = [];
  const expected = new Set<string>();
  const list = entries();
  const texts = reports(list.map((e) => [e.name, e.esm] as const));
  for (const [i, e] of list.entries()) {
    const text = texts[i]!;
    const file = reportFile(e.subpath);
    expected.add(path.basename(file));
    if (check) {
      if (!existsSync(file) || readFileSync(file, 'utf8') !== text) stale.push(path.relative(root, file));
    } else {
      mkdirSync(API_DIR, { recursive: true });
      writeFileSync(file, text);
    }
  }
  // A report whose entry is gone.
  if (existsSync(API_DIR)) {
    for (const f of readdirSync(API_DIR)) {
      if (!f.endsWith('.api.md') || expected.has(f)) continue;
      if (check) stale.push(`api/${f} (no such entry)`);
      else rmSync(path.join(API_DIR, f));
    }
  }
  return stale;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  const stale = run({ check });
  if (check && stale.length > 0) {
    console.error(
      `API report out of date: ${stale.join(', ')}. Run \`npm run api:update\` and review the diff.`,
    );
    process.exit(1);
  }
}
