/** Fake backend descriptors for registry and selection tests. */
import type { BackendDescriptor, EncoderBackend, ProbeResult, Transport } from 'rfbcast';

export interface FakeOptions {
  rank?: number;
  transport?: Transport;
  hardware?: boolean;
  probe?: () => ProbeResult | Promise<ProbeResult>;
  pixelFormats?: BackendDescriptor['capabilities']['pixelFormats'];
  memories?: BackendDescriptor['capabilities']['memories'];
  codecs?: string[];
}

export function fakeBackend(name: string, options: FakeOptions = {}): BackendDescriptor & { probes: number } {
  const transport = options.transport ?? 'video';
  const d = {
    name,
    label: `fake ${name}`,
    transport,
    rank: options.rank ?? 100,
    capabilities: {
      pixelFormats: options.pixelFormats ?? ['rgba'],
      memories: options.memories ?? ['host'],
      codecs: options.codecs ?? (transport === 'video' ? ['avc1'] : ['image/jpeg']),
      hardware: options.hardware ?? false,
    },
    probes: 0,
    async probe(): Promise<ProbeResult> {
      d.probes++;
      return options.probe ? options.probe() : { available: true, state: 'ok' };
    },
    create(): EncoderBackend {
      throw new Error('not used');
    },
  };
  return d;
}
