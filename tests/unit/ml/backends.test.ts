import { selectBackend } from '../../../ml/backends/select';
import { isSoftwareAdapter } from '../../../ml/backends/webgpu';
import { tf } from '../../../ml/tf';

describe('backend selection', () => {
  it('falls through tensorflow and webgpu to wasm on a machine without them, logging why', async () => {
    const lines: string[] = [];
    const choice = await selectBackend({ override: '', log: (l) => lines.push(l) });
    // CI machines have no libtensorflow and no GPU; a developer's may: then wasm is not chosen.
    expect(['tensorflow', 'webgpu', 'wasm']).toContain(choice.backend);
    expect(tf.getBackend()).toBe(choice.backend);
    expect(choice.attempts[0]).toMatch(/^tensorflow: /);
    expect(lines[0]).toContain(`[ml] backend ${choice.backend}`);
  });

  it('honours an explicit override and rejects unknown names', async () => {
    const choice = await selectBackend({ override: 'cpu', log: () => undefined });
    expect(choice.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    await expect(selectBackend({ override: 'cuda', log: () => undefined })).rejects.toThrow(
      /expected one of/,
    );
  });

  it('recognizes software WebGPU adapters', () => {
    expect(isSoftwareAdapter({ info: { vendor: 'google', architecture: 'swiftshader' } })).toBe(true);
    expect(isSoftwareAdapter({ info: { description: 'llvmpipe (LLVM 15.0.6, 256 bits)' } })).toBe(true);
    expect(isSoftwareAdapter({ isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter({ info: { vendor: 'nvidia', device: 'nvidia-h100-80gb-hbm3' } })).toBe(false);
  });
});
