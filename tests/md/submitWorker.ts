/**
 * Stand-in for an MD worker that dies after sbatch: submits the job named on argv[2] (work dir
 * argv[3]), prints the id, then hangs until the test SIGKILLs it.
 */
import { SlurmExecutor } from '../../md/executors';

async function main(): Promise<void> {
  const [name, workDir] = process.argv.slice(2);
  const r = await new SlurmExecutor().submit({
    name,
    workDir,
    argv: ['sleep', '120'],
    cores: 1,
    gpus: 0,
    wallTimeMinutes: 5,
  });
  if (r.kind === 'deferred') throw new Error('unexpected deferral');
  console.log(JSON.stringify({ kind: r.kind, id: r.handle.id }));
  setInterval(() => undefined, 1 << 30); // "crash" comes from outside
}
void main();
