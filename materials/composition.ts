/**
 * Chemical composition: element -> amount (fractional amounts allowed), parsed from formulas
 * such as "Li6.25PS5.25Cl0.75", "Ca3(PO4)2", "Li0.6[Li0.2Sn0.8S2]" or the hydrate notation
 * "CuSO4*5H2O". Formatting follows pymatgen's Composition so reduced formulas compare 1:1.
 */
import { getElement, isElementSymbol } from './elements';

/** Amounts below this count as zero (pymatgen's Composition.amount_tolerance). */
const AMOUNT_TOLERANCE = 1e-8;

export class Composition {
  /** Element symbol -> amount, in order of first appearance. */
  readonly amounts: ReadonlyMap<string, number>;

  private constructor(amounts: Map<string, number>) {
    this.amounts = amounts;
  }

  /** Builds a composition from element amounts; rejects unknown symbols and negative or non-finite amounts. */
  static fromAmounts(amounts: Iterable<readonly [string, number]>): Composition {
    const map = new Map<string, number>();
    for (const [symbol, amount] of amounts) {
      if (!isElementSymbol(symbol)) throw new Error(`Composition: unknown element "${symbol}"`);
      if (!Number.isFinite(amount) || amount < 0) {
        throw new Error(`Composition: amount of ${symbol} must be a finite number >= 0, got ${amount}`);
      }
      map.set(symbol, (map.get(symbol) ?? 0) + amount);
    }
    for (const [symbol, amount] of map) if (amount < AMOUNT_TOLERANCE) map.delete(symbol);
    if (map.size === 0) throw new Error('Composition: no element with a positive amount');
    return new Composition(map);
  }

  /**
   * Parses a chemical formula. Accepts element symbols with optional amounts (integers or
   * decimals), nested (), [] and {} groups with multipliers, whitespace anywhere between tokens,
   * and '*' or '·' joining parts of an adduct/hydrate (each part may start with a multiplier,
   * e.g. "CuSO4*5H2O"). Throws an Error naming the formula and the offending position.
   */
  static parse(formula: string): Composition {
    return Composition.fromAmounts(new FormulaParser(formula).parse());
  }

  /** Total number of atoms (sum of amounts). */
  get numAtoms(): number {
    let total = 0;
    for (const amount of this.amounts.values()) total += amount;
    return total;
  }

  /** Element symbols in order of first appearance. */
  get elements(): string[] {
    return [...this.amounts.keys()];
  }

  /** Atomic fraction of each element (amount / numAtoms); fractions sum to 1. */
  elementFractions(): Map<string, number> {
    const total = this.numAtoms;
    return new Map([...this.amounts].map(([symbol, amount]) => [symbol, amount / total]));
  }

  /** Amount of one element (0 when absent). */
  amountOf(symbol: string): number {
    return this.amounts.get(symbol) ?? 0;
  }

  /** pymatgen's Composition.formula: elements by electronegativity, explicit amounts, e.g. "Li4 Fe4 P4 O16". */
  get formula(): string {
    return sortByElectronegativity([...this.amounts.keys()])
      .map((s) => `${s}${formatAmount(this.amounts.get(s) as number, false)}`)
      .join(' ');
  }

  /**
   * pymatgen's Composition.reduced_formula. When every amount is an integer (within 1e-8) the
   * amounts are divided by their greatest common divisor, elements are ordered by Pauling
   * electronegativity (ties and missing values as pymatgen), a trailing polyanion is grouped
   * ("Li10Ge(PS6)2", "Ca3(PO4)2") and pymatgen's special cases apply ("LiO" -> "Li2O2", "O" -> "O2").
   * With any fractional amount nothing is reduced: it is `formula` without spaces, amounts of 1
   * included ("Li6.25P1S5.25Cl0.75"), amounts rounded to 8 decimals.
   */
  get reducedFormula(): string {
    const values = [...this.amounts.values()];
    const allIntegers = values.every((v) => Math.abs(v - Math.round(v)) < AMOUNT_TOLERANCE);
    if (!allIntegers) return this.formula.replace(/ /g, '');
    const rounded = new Map([...this.amounts].map(([s, v]) => [s, Math.round(v)]));
    const reduced = reduceFormula(rounded);
    return SPECIAL_FORMULAS[reduced] ?? reduced;
  }

  toString(): string {
    return this.formula;
  }
}

/** pymatgen's Composition.special_formulas: species kept as molecules/peroxides. */
const SPECIAL_FORMULAS: Readonly<Record<string, string>> = {
  LiO: 'Li2O2',
  NaO: 'Na2O2',
  KO: 'K2O2',
  HO: 'H2O2',
  CsO: 'Cs2O2',
  RbO: 'Rb2O2',
  O: 'O2',
  N: 'N2',
  F: 'F2',
  Cl: 'Cl2',
  H: 'H2',
};

function electronegativity(symbol: string): number {
  return getElement(symbol).electronegativity_pauling ?? Number.NaN;
}

/** pymatgen's _symbol_sort_order: by electronegativity (missing last), then symbol. */
function sortByElectronegativity(symbols: string[]): string[] {
  const key = (s: string): number => {
    const x = electronegativity(s);
    return Number.isNaN(x) ? Number.POSITIVE_INFINITY : x;
  };
  return [...symbols].sort((a, b) => key(a) - key(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Greatest common divisor of two integers (reduced formulas, supercell sizes). */
export function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return Math.abs(a);
}

/** Port of pymatgen.core.composition.reduce_formula (without IUPAC ordering). */
function reduceFormula(amounts: ReadonlyMap<string, number>): string {
  return reduceFormulaWithFactor(amounts)[0];
}

function reduceFormulaWithFactor(amounts: ReadonlyMap<string, number>): [string, number] {
  let symbols = sortByElectronegativity([...amounts.keys()]).filter(
    (s) => Math.abs(amounts.get(s) as number) > AMOUNT_TOLERANCE,
  );
  const values = [...amounts.values()];
  const factor = values.every(Number.isInteger) ? values.reduce((g, v) => gcd(g, v), 0) : 1;

  // Two most electronegative elements close in electronegativity form a polyanion, e.g. (PO4).
  const polyAnions: string[] = [];
  const n = symbols.length;
  if (n >= 3 && electronegativity(symbols[n - 1]) - electronegativity(symbols[n - 2]) < 1.65) {
    const poly = new Map(
      [symbols[n - 2], symbols[n - 1]].map((s) => [s, (amounts.get(s) as number) / factor]),
    );
    const [polyFormula, polyFactor] = reduceFormulaWithFactor(poly);
    if (polyFactor !== 1) polyAnions.push(`(${polyFormula})${polyFactor}`);
  }
  if (polyAnions.length > 0) symbols = symbols.slice(0, n - 2);

  const parts = symbols.map((s) => `${s}${formatAmount((amounts.get(s) as number) / factor, true)}`);
  return [[...parts, ...polyAnions].join(''), factor];
}

/** pymatgen's formula_double_format followed by Python's str(): "" for 1 (if ignoreOnes), "2", "0.75". */
function formatAmount(amount: number, ignoreOnes: boolean): string {
  if (ignoreOnes && Math.abs(amount - 1) <= AMOUNT_TOLERANCE) return '';
  if (Math.abs(amount - Math.round(amount)) <= AMOUNT_TOLERANCE) return String(Math.round(amount));
  return pythonFloatRepr(Number(amount.toFixed(8)));
}

/** Python's repr(float): scientific below 1e-4 and from 1e16, with a two-digit exponent. */
function pythonFloatRepr(x: number): string {
  const magnitude = Math.abs(x);
  if (magnitude !== 0 && (magnitude < 1e-4 || magnitude >= 1e16)) {
    return x.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  const s = String(x);
  return Number.isInteger(x) ? `${s}.0` : s;
}

const OPEN_TO_CLOSE: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}' };
const CLOSERS = new Set(Object.values(OPEN_TO_CLOSE));
const ADDUCT_SEPARATORS = new Set(['*', '·', '•']);

/** Recursive-descent formula parser; positions in errors are 0-based character offsets. */
class FormulaParser {
  private pos = 0;

  constructor(private readonly formula: string) {}

  parse(): Map<string, number> {
    if (this.formula.trim() === '') throw new Error(`Invalid formula "${this.formula}": empty`);
    const total = new Map<string, number>();
    for (;;) {
      this.skipSpace();
      // Each adduct part may carry a leading multiplier ("5H2O" in "CuSO4*5H2O").
      const multiplier = this.readNumber() ?? 1;
      const part = this.parseSequence(null);
      if (part.size === 0) this.fail('expected an element symbol or "("');
      addScaled(total, part, multiplier);
      this.skipSpace();
      if (this.pos >= this.formula.length) return total;
      if (!ADDUCT_SEPARATORS.has(this.formula[this.pos])) this.fail(`unexpected "${this.formula[this.pos]}"`);
      this.pos += 1;
    }
  }

  /** Parses elements and groups until `close` (or a separator / end when close is null). */
  private parseSequence(close: string | null): Map<string, number> {
    const amounts = new Map<string, number>();
    for (;;) {
      this.skipSpace();
      const c = this.formula[this.pos];
      if (c === undefined || ADDUCT_SEPARATORS.has(c) || (close === null && CLOSERS.has(c))) {
        if (close !== null) this.fail(`missing "${close}"`);
        return amounts;
      }
      if (c === close) return amounts;
      if (c in OPEN_TO_CLOSE) {
        const start = this.pos;
        this.pos += 1;
        const inner = this.parseSequence(OPEN_TO_CLOSE[c]);
        if (inner.size === 0) this.fail('empty group', start);
        this.pos += 1; // closing bracket
        addScaled(amounts, inner, this.readAmount());
      } else if (c >= 'A' && c <= 'Z') {
        const start = this.pos;
        this.pos += 1;
        while (this.pos < this.formula.length && /[a-z]/.test(this.formula[this.pos])) this.pos += 1;
        const symbol = this.formula.slice(start, this.pos);
        if (!isElementSymbol(symbol)) this.fail(`unknown element "${symbol}"`, start);
        amounts.set(symbol, (amounts.get(symbol) ?? 0) + this.readAmount());
      } else {
        this.fail(`unexpected "${c}"`);
      }
    }
  }

  /** Optional amount after an element or group (whitespace allowed before it); default 1. */
  private readAmount(): number {
    this.skipSpace();
    return this.readNumber() ?? 1;
  }

  private readNumber(): number | null {
    const match = /^(\d+(\.\d*)?|\.\d+)/.exec(this.formula.slice(this.pos));
    if (match === null) return null;
    this.pos += match[0].length;
    return Number(match[0]);
  }

  private skipSpace(): void {
    while (this.pos < this.formula.length && /\s/.test(this.formula[this.pos])) this.pos += 1;
  }

  private fail(reason: string, at: number = this.pos): never {
    throw new Error(`Invalid formula "${this.formula}" at position ${at}: ${reason}`);
  }
}

function addScaled(into: Map<string, number>, from: ReadonlyMap<string, number>, factor: number): void {
  for (const [symbol, amount] of from) into.set(symbol, (into.get(symbol) ?? 0) + amount * factor);
}
