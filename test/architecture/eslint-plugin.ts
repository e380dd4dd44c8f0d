// The import rules of test/architecture/import-rules.ts as an ESLint rule, so an editor shows a
// broken boundary where it is written; the same checkImport decides, so the two cannot disagree.
import { relative, sep } from 'node:path';
import type { Rule } from 'eslint';
import { checkImport, type ImportRef } from './import-rules.ts';

type Node = Rule.Node & { importKind?: string; exportKind?: string; specifiers?: { importKind?: string; exportKind?: string; type: string }[] };

const importBoundary: Rule.RuleModule = {
  meta: { type: 'problem', docs: { description: 'imports point down: engine, renderer and electron only import what DESIGN.md allows' }, schema: [] },
  create(context) {
    const from = relative(context.cwd, context.filename).split(sep).join('/');
    const check = (node: Rule.Node, source: unknown, typeOnly: boolean) => {
      const literal = source as { type?: string; value?: unknown } | null | undefined;
      if (literal?.type !== 'Literal' || typeof literal.value !== 'string') return;
      const ref: ImportRef = { specifier: literal.value, typeOnly, line: node.loc?.start.line ?? 0 };
      const rule = checkImport(from, ref);
      if (rule) context.report({ node, message: `${ref.specifier}: ${rule}` });
    };
    const allTypes = (node: Node, kind: 'importKind' | 'exportKind') =>
      node[kind] === 'type' ||
      (node.specifiers !== undefined &&
        node.specifiers.length > 0 &&
        node.specifiers.every((specifier) => specifier.type !== 'ImportDefaultSpecifier' && specifier[kind] === 'type'));
    return {
      ImportDeclaration: (node) => check(node, node.source, allTypes(node as Node, 'importKind')),
      ExportNamedDeclaration: (node) => check(node, node.source, (node as Node).exportKind === 'type'),
      ExportAllDeclaration: (node) => check(node, node.source, (node as Node).exportKind === 'type'),
      ImportExpression: (node) => check(node, node.source, false),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') check(node, node.arguments[0], false);
      },
    };
  },
};

export const signalboxPlugin = { meta: { name: 'signalbox' }, rules: { 'import-boundary': importBoundary } };
