/**
 * CIF 1.1 syntax: data blocks, tag-value pairs, loop_ tables, quoted values ('...' and "..."
 * closed by a quote followed by whitespace), semicolon text fields and # comments.
 * Tags are case-insensitive and DDLm's '.' separator is equivalent to '_', so lookups
 * normalise tags to lower case with '.' replaced by '_'.
 */

export interface CifLoop {
  readonly tags: readonly string[];
  /** rows[r][c] is the value of tags[c] in row r. */
  readonly rows: readonly (readonly string[])[];
  /** 1-based line of each row's first value, for error messages. */
  readonly rowLines: readonly number[];
}

export interface CifBlock {
  readonly name: string;
  /** 1-based line of the data_ header. */
  readonly line: number;
  /** Single-valued tags. */
  readonly items: ReadonlyMap<string, string>;
  /** 1-based line of each single-valued tag. */
  readonly itemLines: ReadonlyMap<string, number>;
  readonly loops: readonly CifLoop[];
}

interface Token {
  readonly text: string;
  readonly line: number;
  /** Quoted or text-field values are never keywords or tags. */
  readonly quoted: boolean;
}

export function normaliseCifTag(tag: string): string {
  return tag.toLowerCase().replace(/\./g, '_');
}

/** Values '?' (unknown) and '.' (inapplicable) are CIF's null markers. */
export function isCifNull(value: string): boolean {
  return value === '?' || value === '.';
}

/** Single value of a tag (item or a one-row loop column); undefined when absent. */
export function cifValue(block: CifBlock, tag: string): string | undefined {
  const key = normaliseCifTag(tag);
  const item = block.items.get(key);
  if (item !== undefined) return item;
  const column = cifColumn(block, key);
  return column?.length === 1 ? column[0] : undefined;
}

/** All values of a looped tag (a single item counts as a one-value column); undefined when absent. */
export function cifColumn(block: CifBlock, tag: string): string[] | undefined {
  const key = normaliseCifTag(tag);
  for (const loop of block.loops) {
    const c = loop.tags.indexOf(key);
    if (c >= 0) return loop.rows.map((row) => row[c]);
  }
  const item = block.items.get(key);
  return item === undefined ? undefined : [item];
}

/** The loop containing `tag`, if any. */
export function cifLoopOf(block: CifBlock, tag: string): CifLoop | undefined {
  const key = normaliseCifTag(tag);
  return block.loops.find((loop) => loop.tags.includes(key));
}

/** Splits CIF text into tokens with line numbers. */
function tokenize(text: string, source: string): Token[] {
  const tokens: Token[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    const lineNo = i + 1;
    if (line.startsWith(';')) {
      // Text field: runs until a line that starts with ';'.
      const body = [line.slice(1)];
      let j = i + 1;
      while (j < lines.length && !lines[j].startsWith(';')) body.push(lines[j++]);
      if (j >= lines.length) throw new Error(`${source}: line ${lineNo}: unterminated ';' text field`);
      tokens.push({ text: body.join('\n').trim(), line: lineNo, quoted: true });
      const rest = lines[j].slice(1);
      if (rest.trim() !== '') tokens.push(...tokenizeLine(rest, j + 1, source));
      i = j;
      continue;
    }
    tokens.push(...tokenizeLine(line, lineNo, source));
  }
  return tokens;
}

function tokenizeLine(line: string, lineNo: number, source: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < line.length) {
    const c = line[pos];
    if (c === ' ' || c === '\t') {
      pos += 1;
    } else if (c === '#') {
      break; // comment to end of line
    } else if (c === "'" || c === '"') {
      // CIF 1.1: the closing quote is one followed by whitespace or end of line.
      let end = pos + 1;
      while (end < line.length && !(line[end] === c && (end + 1 === line.length || /\s/.test(line[end + 1]))))
        end += 1;
      if (end >= line.length) throw new Error(`${source}: line ${lineNo}: unterminated quoted value`);
      tokens.push({ text: line.slice(pos + 1, end), line: lineNo, quoted: true });
      pos = end + 1;
    } else {
      let end = pos;
      while (end < line.length && line[end] !== ' ' && line[end] !== '\t') end += 1;
      tokens.push({ text: line.slice(pos, end), line: lineNo, quoted: false });
      pos = end;
    }
  }
  return tokens;
}

const isTag = (t: Token): boolean => !t.quoted && t.text.startsWith('_');
const isKeyword = (t: Token, keyword: string): boolean =>
  !t.quoted && t.text.toLowerCase().startsWith(keyword);
const isReserved = (t: Token): boolean => !t.quoted && /^(data_|loop_|save_|global_|stop_)/i.test(t.text);

/**
 * Parses all data blocks of a CIF. `source` (e.g. the file name) prefixes every error message.
 * Save frames and global_ blocks are skipped.
 */
export function parseCifBlocks(text: string, source = 'CIF'): CifBlock[] {
  const tokens = tokenize(text, source);
  const blocks: CifBlock[] = [];
  let current: {
    name: string;
    line: number;
    items: Map<string, string>;
    itemLines: Map<string, number>;
    loops: CifLoop[];
  } | null = null;
  let i = 0;
  const requireBlock = (t: Token): NonNullable<typeof current> => {
    if (current === null) throw new Error(`${source}: line ${t.line}: "${t.text}" before any data_ block`);
    return current;
  };
  while (i < tokens.length) {
    const t = tokens[i];
    if (isKeyword(t, 'data_')) {
      current = { name: t.text.slice(5), line: t.line, items: new Map(), itemLines: new Map(), loops: [] };
      blocks.push(current);
      i += 1;
    } else if (isKeyword(t, 'save_') || isKeyword(t, 'global_') || isKeyword(t, 'stop_')) {
      i += 1; // frames and global blocks carry no structure data we use
    } else if (isKeyword(t, 'loop_')) {
      const block = requireBlock(t);
      i += 1;
      const tags: string[] = [];
      while (i < tokens.length && isTag(tokens[i])) tags.push(normaliseCifTag(tokens[i++].text));
      if (tags.length === 0) throw new Error(`${source}: line ${t.line}: loop_ without tags`);
      const values: Token[] = [];
      while (i < tokens.length && !isTag(tokens[i]) && !isReserved(tokens[i])) values.push(tokens[i++]);
      if (values.length % tags.length !== 0) {
        throw new Error(
          `${source}: line ${t.line}: loop_ with ${tags.length} tags (${tags.join(', ')}) has ${values.length} values, not a multiple`,
        );
      }
      const rows: string[][] = [];
      const rowLines: number[] = [];
      for (let r = 0; r < values.length; r += tags.length) {
        rows.push(values.slice(r, r + tags.length).map((v) => v.text));
        rowLines.push(values[r].line);
      }
      block.loops.push({ tags, rows, rowLines });
    } else if (isTag(t)) {
      const block = requireBlock(t);
      const value = tokens[i + 1];
      if (value === undefined || isTag(value) || isReserved(value)) {
        throw new Error(`${source}: line ${t.line}: tag ${t.text} has no value`);
      }
      const key = normaliseCifTag(t.text);
      block.items.set(key, value.text);
      block.itemLines.set(key, t.line);
      i += 2;
    } else {
      throw new Error(`${source}: line ${t.line}: unexpected value "${t.text}" outside a loop`);
    }
  }
  return blocks;
}
