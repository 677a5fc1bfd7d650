import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface CifFile {
  /** The file name without `.cif`: OBELiX names its CIFs by entry id. */
  candidateId: string;
  file: string;
  text: string;
}

/**
 * The CIFs of a folder, or of a .tar.gz/.tgz archive (unpacked with the system's tar into a
 * temporary folder that is removed afterwards), sorted by file name.
 */
export function readCifCollection(source: string): CifFile[] {
  if (!fs.existsSync(source)) throw new Error(`CIF source ${source} does not exist`);
  if (fs.statSync(source).isDirectory()) return readCifDir(source);
  if (!/\.(tar\.gz|tgz)$/.test(source))
    throw new Error(`CIF source ${source}: expected a folder or a .tar.gz archive`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-cifs-'));
  try {
    execFileSync('tar', ['-xzf', source, '-C', tmp], { stdio: 'pipe' });
    return readCifDir(tmp);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function readCifDir(dir: string): CifFile[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.toLowerCase().endsWith('.cif')) files.push(full);
    }
  };
  walk(dir);
  return files
    .sort((a, b) => path.basename(a).localeCompare(path.basename(b)))
    .map((file) => ({
      candidateId: path.basename(file).replace(/\.cif$/i, ''),
      file: path.basename(file),
      text: fs.readFileSync(file, 'utf8'),
    }));
}
