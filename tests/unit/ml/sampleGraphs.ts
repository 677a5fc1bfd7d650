import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCifStructure } from '../../../materials/cifReader';
import { crystalGraph, type CrystalGraph } from '../../../materials/crystalGraph';
import { SHARED_DATASETS } from '../../helpers/python';

export const CGCNN_SAMPLE = path.join(SHARED_DATASETS, 'cgcnn-sample');

/** Crystal graphs (CGCNN defaults) of the named cgcnn-sample CIFs, with their id_prop targets. */
export function sampleGraphs(ids: readonly string[]): { graphs: CrystalGraph[]; targets: number[] } {
  const props = new Map(
    fs
      .readFileSync(path.join(CGCNN_SAMPLE, 'id_prop.csv'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(',') as [string, string]),
  );
  return {
    graphs: ids.map((id) =>
      crystalGraph(
        readCifStructure(fs.readFileSync(path.join(CGCNN_SAMPLE, `${id}.cif`), 'utf8'), { source: id }),
      ),
    ),
    targets: ids.map((id) => Number(props.get(id))),
  };
}
