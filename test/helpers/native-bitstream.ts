/** The addon's platform-independent pieces of the VideoToolbox encoder, typed for tests. */
import { loadNativeAddon } from 'rfbcast/testing';

export interface BitstreamAddon {
  h264PatchSps(sps: Uint8Array, primaries?: number, transfer?: number): Buffer;
  h264AvccToAnnexB(
    sample: Uint8Array,
    nalLengthSize: number,
    parameterSets: Uint8Array[],
    forced: boolean,
  ): { data: Buffer; keyframe: boolean };
  vtWriteNv12(
    src: Uint8Array,
    format: string,
    width: number,
    height: number,
    stride: number,
    dst: Uint8Array,
    yStride: number,
    uvOffset: number,
    uvStride: number,
  ): void;
}

export const bitstream = (): BitstreamAddon => loadNativeAddon() as unknown as BitstreamAddon;
