import { imageFrameHeader, packEnvelope, unpackEnvelope, videoChunkHeader } from '../src/wire';
import vectors from './fixtures/envelope-vectors.json';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const fromHex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

describe('envelope golden vectors (conformance 13)', () => {
  it.each(vectors.map((v) => [v.name, v] as const))('packs %s byte for byte', (_name, v) => {
    const packed = packEnvelope(v.header, fromHex(v.payloadHex));
    expect(hex(packed)).toBe(v.packedHex);
  });

  it('has header lengths 99, 135 and 83', () => {
    expect(vectors.map((v) => new DataView(fromHex(v.packedHex).buffer).getUint32(0, true))).toEqual([99, 135, 83]);
  });

  it.each(vectors.map((v) => [v.name, v] as const))('unpacks %s to its header and payload', (_name, v) => {
    const { header, payload } = unpackEnvelope(fromHex(v.packedHex));
    expect(header).toEqual(v.header);
    expect(Object.keys(header)).toEqual(Object.keys(v.header));
    expect(hex(payload)).toBe(v.payloadHex);
  });

  it('writes non-ASCII as lowercase \\u escapes, astral characters as surrogate pairs', () => {
    const packed = packEnvelope({ note: 'café-🎞\u007f/"\\\n' }, new Uint8Array(0));
    const text = Buffer.from(packed.subarray(4)).toString('latin1');
    expect(text).toBe('{"note":"caf\\u00e9-\\ud83c\\udf9e\\u007f/\\"\\\\\\n"}');
  });

  it('the header builders give the wire key order', () => {
    const image = imageFrameHeader({ seq: 42, timestampUs: 700000, width: 1280, height: 720, mime: 'image/jpeg' });
    expect(hex(packEnvelope(image, fromHex('ffd8ffe00010')))).toBe(vectors[0].packedHex);
    const video = videoChunkHeader({
      seq: 7, timestampUs: 16666, width: 640, height: 480, codec: 'avc1.42E01F', keyframe: true, durationUs: 33333,
      pixelRatio: 2, color: { primaries: 'bt709' },
    });
    expect(Object.keys(video)).toEqual([
      'type', 'seq', 'timestamp_us', 'width', 'height', 'codec', 'bitstream', 'keyframe', 'duration_us', 'pixel_ratio', 'color',
    ]);
    expect('pixel_ratio' in imageFrameHeader({ seq: 0, timestampUs: 0, width: 1, height: 1, mime: 'image/png', pixelRatio: 1 })).toBe(false);
  });
});

describe('envelope unpacking hardening (conformance 14)', () => {
  it('throws on fewer than 4 bytes', () => {
    expect(() => unpackEnvelope(new Uint8Array(3))).toThrow('buffer too small to contain a header length prefix');
  });

  it('throws on a truncated buffer, naming what it needs', () => {
    const packed = fromHex(vectors[0].packedHex);
    expect(() => unpackEnvelope(packed.subarray(0, 50))).toThrow('buffer truncated: need 103 bytes, have 50');
    const huge = new Uint8Array(8);
    new DataView(huge.buffer).setUint32(0, 0xffffffff, true);
    expect(() => unpackEnvelope(huge)).toThrow('buffer truncated: need 4294967299 bytes, have 8');
  });

  it('decodes from a Uint8Array at byteOffset 5 and from an ArrayBuffer', () => {
    const packed = fromHex(vectors[2].packedHex);
    const backing = new Uint8Array(5 + packed.length + 3);
    backing.set(packed, 5);
    const view = backing.subarray(5, 5 + packed.length);
    expect(view.byteOffset).toBe(5);
    const { header, payload } = unpackEnvelope(view);
    expect(header.note).toBe('café-🎞');
    expect(hex(payload)).toBe('010203');
    const ab = packed.buffer.slice(packed.byteOffset, packed.byteOffset + packed.byteLength);
    expect(unpackEnvelope(ab).header.note).toBe('café-🎞');
  });

  it('counts the header length in bytes, multibyte UTF-8 included', () => {
    const header = new TextEncoder().encode('{"n":"é"}');
    const msg = new Uint8Array(4 + header.length + 1);
    new DataView(msg.buffer).setUint32(0, header.length, true);
    msg.set(header, 4);
    msg[msg.length - 1] = 9;
    expect(header.length).toBe(10);
    const { header: h, payload } = unpackEnvelope(msg);
    expect(h).toEqual({ n: 'é' });
    expect([...payload]).toEqual([9]);
  });

  it('rejects a header that is not a JSON object', () => {
    const body = new TextEncoder().encode('[1,2]');
    const msg = new Uint8Array(4 + body.length);
    new DataView(msg.buffer).setUint32(0, body.length, true);
    msg.set(body, 4);
    expect(() => unpackEnvelope(msg)).toThrow('envelope header is not a JSON object');
  });
});
