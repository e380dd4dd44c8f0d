// The import rules of DESIGN.md, checked on the real tree: imports point down, engine code never
// sees Electron, React or the DOM, the renderer never sees Node and takes from the engine only its
// browser-safe contract (engine/api). Parsed with the TypeScript compiler, so `import type` is told apart.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export interface ImportRef {
  specifier: string;
  typeOnly: boolean;
  line: number;
}

export interface Violation {
  file: string;
  line: number;
  specifier: string;
  rule: string;
}

export function importsOf(fileName: string, text: string): ImportRef[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const refs: ImportRef[] = [];
  const add = (node: ts.Node, specifier: ts.Expression | undefined, typeOnly: boolean) => {
    if (specifier && ts.isStringLiteralLike(specifier)) {
      refs.push({ specifier: specifier.text, typeOnly, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    }
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const allNamedTypes = !clause?.name && named !== undefined && named.length > 0 && named.every((el) => el.isTypeOnly);
      add(node, node.moduleSpecifier, Boolean(clause?.isTypeOnly) || allNamedTypes);
    } else if (ts.isExportDeclaration(node)) {
      add(node, node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isCallExpression(node)) {
      const isDynamicImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if (isDynamicImport || isRequire) add(node, node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal as ts.Expression, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return refs;
}

const nodeBuiltins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const uiPackages = ['electron', 'react', 'react-dom'];

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The top area of a repo-relative path: engine/api, engine/host, engine/<name>, renderer, electron. */
function areaOf(path: string): string {
  const [top, second] = path.split('/');
  return top === 'engine' && second ? `engine/${second}` : (top ?? '');
}

/**
 * The one host file that imports engine folders: the registry (each engine's definition.ts, which
 * also carries its command, `signalbox dns|railgun|vault|bundle`).
 */
const hostFilesSeeingEngines = new Set(['engine/host/registry.ts']);

/**
 * Files outside engine/api that are part of the contract: the DNS module chain and each module's
 * contract.ts (its config keys, stats fields and series), which engine/api/dns.ts composes. They
 * load in a browser with engine/api, so they keep its rules.
 */
function isContractPart(path: string): boolean {
  return path === 'engine/dns/chain.ts' || /^engine\/[^/]+\/modules\/[^/]+\/contract\.ts$/.test(path);
}

/** The rule a single import breaks, or null. `from` and the resolved target are repo-relative. */
export function checkImport(from: string, ref: ImportRef): string | null {
  const area = areaOf(from);
  const relativeSpec = ref.specifier.startsWith('.');
  const target = relativeSpec
    ? relative('.', join(dirname(from), ref.specifier))
        .split(sep)
        .join('/')
    : null;
  const targetArea = target ? areaOf(target) : null;
  const pkg = relativeSpec ? null : packageName(ref.specifier);
  const isNode = !relativeSpec && nodeBuiltins.has(ref.specifier);

  if (target?.startsWith('..')) return 'imports must stay inside the repository';
  if (area.startsWith('engine/')) {
    if (pkg && uiPackages.includes(pkg)) return `engine code never imports ${pkg} (it runs in plain Node)`;
    if (targetArea === 'renderer' || targetArea === 'electron') return `engine code never imports ${targetArea}/`;
    if (area === 'engine/api' || isContractPart(from)) {
      if (isNode) return 'engine/api is the contract: it must load in a browser too, so no Node modules';
      if (pkg && pkg !== 'zod') return `engine/api depends on zod only, not ${pkg}`;
      if (targetArea && targetArea !== 'engine/api' && !isContractPart(target!)) {
        return 'engine/api imports only engine/api and the contract parts it composes (engine/dns/chain.ts, engine/<name>/modules/<module>/contract.ts)';
      }
    } else if (area === 'engine/common') {
      // Plain Node parts more than one engine (and the host) use; they know no engine.
      if (targetArea && targetArea !== 'engine/common') return `engine/common imports only engine/common, not ${targetArea}`;
    } else if (area === 'engine/host') {
      const engineTarget = targetArea && !['engine/api', 'engine/host', 'engine/common'].includes(targetArea);
      if (engineTarget && !hostFilesSeeingEngines.has(from))
        return `engine/host reaches ${targetArea} only through engine/host/registry.ts (the engine's definition.ts)`;
    } else {
      if (targetArea && targetArea !== 'engine/api' && targetArea !== 'engine/common' && targetArea !== area) {
        return `${area} may import engine/api, engine/common and its own folder, not ${targetArea}`;
      }
    }
  } else if (area === 'renderer') {
    if (isNode) return 'renderer code runs in a browser: no Node modules';
    if (pkg === 'electron') return 'renderer code never imports electron (it talks to the API client)';
    if (targetArea && targetArea !== 'renderer') {
      // engine/api is browser-safe (checked above: zod and itself only), so its values (error codes,
      // limits) are the renderer's too, instead of hand copies.
      if (targetArea !== 'engine/api') return `renderer may import engine/api only, not ${targetArea}`;
    }
  } else if (area === 'electron') {
    if (targetArea && !['electron', 'engine/api', 'engine/host'].includes(targetArea)) {
      return `electron may import engine/host and engine/api, not ${targetArea}`;
    }
  }
  return null;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|tsx|mts|cts|js|mjs|jsx)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

export function checkTree(root: string, areas = ['engine', 'renderer', 'electron']): Violation[] {
  const violations: Violation[] = [];
  for (const area of areas) {
    for (const file of sourceFiles(resolve(root, area))) {
      const repoPath = relative(root, file).split(sep).join('/');
      for (const ref of importsOf(file, readFileSync(file, 'utf8'))) {
        const rule = checkImport(repoPath, ref);
        if (rule) violations.push({ file: repoPath, line: ref.line, specifier: ref.specifier, rule });
      }
    }
  }
  return violations;
}
