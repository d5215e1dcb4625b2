import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Folders never searched when git cannot list the files (a copy without `.git`). */
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist', '.next', '.turbo', '.mbuzz']);

/**
 * The markdown files of the repo, relative to `root`: what git tracks plus new files it does not ignore,
 * without those deleted from the working tree. Without git, a walk that skips dependencies and builds.
 */
function markdownFiles(root: string): string[] {
  let listed: string[];
  try {
    listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '*.md'], {
      cwd: root,
      encoding: 'utf8',
    })
      .split('\0')
      .filter((file) => file !== '');
  } catch {
    listed = walk(root, '');
  }
  const unique = [...new Set(listed)];
  return unique.filter((file) => !file.split('/').includes('node_modules') && existsSync(join(root, file)));
}

function walk(root: string, dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) found.push(...walk(root, path));
    else if (entry.isFile() && entry.name.endsWith('.md')) found.push(path);
  }
  return found;
}

/** `[text](target)`, `![alt](target "title")` and `<target>` forms; the target is group 1. */
const INLINE_LINK = /!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
/** `[id]: target` reference definitions. */
const REFERENCE_DEFINITION = /^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/;
/** Any URL scheme (`https:`, `mailto:`, `data:`…): not a file of the repo. */
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

interface Link {
  line: number;
  target: string;
}

/** Lines outside fenced code blocks, inline code spans blanked out (their text is not markdown). */
function proseLines(text: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  let fence: string | undefined;
  text.split('\n').forEach((raw, index) => {
    const opener = /^\s{0,3}(`{3,}|~{3,})/.exec(raw)?.[1];
    if (fence !== undefined) {
      if (opener !== undefined && opener[0] === fence[0] && opener.length >= fence.length) fence = undefined;
      return;
    }
    if (opener !== undefined) {
      fence = opener;
      return;
    }
    out.push({ line: index + 1, text: raw.replace(/(`+)(?:(?!\1).)+?\1/g, '') });
  });
  return out;
}

function linksOf(text: string): Link[] {
  const links: Link[] = [];
  for (const { line, text: prose } of proseLines(text)) {
    for (const match of prose.matchAll(INLINE_LINK)) links.push({ line, target: match[1] ?? '' });
    const definition = REFERENCE_DEFINITION.exec(prose);
    if (definition?.[1]) links.push({ line, target: definition[1] });
  }
  return links;
}

/** GitHub's heading ids: lower case, punctuation dropped, spaces as `-`, repeats numbered `-1`, `-2`… */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text: prose } of proseLines(text)) {
    for (const match of prose.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(match[1] as string);
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(prose)?.[1];
    if (heading === undefined) continue;
    const slug = heading
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/**
 * Every relative link of the markdown files that points at nothing: a missing file or folder, a place
 * outside the repo, or a `#heading` missing from the markdown file it names. Web and mail links are
 * not checked.
 */
function findBrokenLinks(root: string, files: readonly string[]): string[] {
  const broken: string[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchorsIn = (path: string) => {
    let anchors = anchorCache.get(path);
    if (anchors === undefined) {
      anchors = anchorsOf(readFileSync(path, 'utf8'));
      anchorCache.set(path, anchors);
    }
    return anchors;
  };
  for (const file of files) {
    const source = join(root, file);
    for (const { line, target } of linksOf(readFileSync(source, 'utf8'))) {
      if (target === '' || SCHEME.test(target) || target.startsWith('//')) continue;
      const hashAt = target.indexOf('#');
      const rawPath = hashAt === -1 ? target : target.slice(0, hashAt);
      const anchor = hashAt === -1 ? '' : target.slice(hashAt + 1);
      let path: string;
      try {
        path = decodeURIComponent(rawPath.split('?')[0] as string);
      } catch {
        path = rawPath;
      }
      const resolved =
        path === '' ? source : path.startsWith('/') ? join(root, path) : resolve(dirname(source), path);
      const where = `${file}:${line} → ${target}`;
      const inside = relative(root, resolved);
      if (inside.startsWith(`..${sep}`) || inside === '..') broken.push(`${where} (outside the repo)`);
      else if (!existsSync(resolved)) broken.push(`${where} (no such file or folder)`);
      else if (anchor !== '' && resolved.endsWith('.md') && !anchorsIn(resolved).has(anchor)) {
        broken.push(`${where} (no heading #${anchor})`);
      }
    }
  }
  return broken;
}

describe('markdown links', () => {
  it('every relative link of every markdown file of the repo points at something', () => {
    const files = markdownFiles(REPO_ROOT);
    expect(files).toContain('README.md');
    expect(findBrokenLinks(REPO_ROOT, files)).toEqual([]);
  });

  describe('the check itself', () => {
    const root = mkdtempSync(join(tmpdir(), 'docs-links-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    mkdirSync(join(root, 'docs'));
    mkdirSync(join(root, 'pkg'));
    writeFileSync(join(root, 'pkg', 'index.ts'), '');
    writeFileSync(
      join(root, 'docs', 'guide.md'),
      ['# Guide', '', '## Set it up', '', 'text', '', '## Set it up', ''].join('\n'),
    );
    const check = (markdown: string) => {
      writeFileSync(join(root, 'README.md'), markdown);
      return findBrokenLinks(root, ['README.md', 'docs/guide.md']);
    };

    it('accepts files, folders, headings, web links and anything in code', () => {
      expect(
        check(
          [
            '[guide](docs/guide.md) [part](docs/guide.md#set-it-up) [again](./docs/guide.md#set-it-up-1)',
            '[folder](pkg) [slash](pkg/) [file](pkg/index.ts) [root](/docs/guide.md) ![img](<pkg/index.ts> "t")',
            '[web](https://example.com/x) [mail](mailto:a@b.c) [here](#readme) `[code](nowhere.md)`',
            '',
            '# Readme',
            '```md',
            '[fenced](nowhere.md)',
            '```',
            '[ref]: docs/guide.md',
          ].join('\n'),
        ),
      ).toEqual([]);
    });

    it('reports a missing file or folder, a link out of the repo and a missing heading', () => {
      expect(
        check(
          [
            '[gone](docs/gone.md)',
            '[gone folder](pkg/nothing/#x)',
            '[outside](../elsewhere/guide.md)',
            '[heading](docs/guide.md#nope)',
            '[ref]: missing.md',
          ].join('\n'),
        ),
      ).toEqual([
        'README.md:1 → docs/gone.md (no such file or folder)',
        'README.md:2 → pkg/nothing/#x (no such file or folder)',
        'README.md:3 → ../elsewhere/guide.md (outside the repo)',
        'README.md:4 → docs/guide.md#nope (no heading #nope)',
        'README.md:5 → missing.md (no such file or folder)',
      ]);
    });
  });
});
