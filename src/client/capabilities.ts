/**
 * The client capability probe (PROTOCOL.md §7.3): always JPEG and PNG, WebP
 * when the browser decodes it, and H.264 only when WebCodecs says it can
 * decode avc1.42E01F at the view's size and the view is not image-only.
 */
import { CAP_H264, CAP_JPEG, CAP_PNG, CAP_WEBP, CONFIG_CODEC } from '../wire';

// A 1x1 lossless WebP.
const WEBP_1PX = 'UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==';

async function decodesWebp(): Promise<boolean> {
  try {
    const bytes = Uint8Array.from(atob(WEBP_1PX), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: CAP_WEBP }));
    bitmap.close();
    return true;
  } catch {
    return false;
  }
}

export async function h264Supported(width: number, height: number, hardwareAcceleration?: HardwareAcceleration): Promise<boolean> {
  if (typeof VideoDecoder === 'undefined') return false;
  try {
    const r = await VideoDecoder.isConfigSupported({
      codec: CONFIG_CODEC,
      codedWidth: width || 1280,
      codedHeight: height || 720,
      ...(hardwareAcceleration ? { hardwareAcceleration } : {}),
    });
    return r.supported === true;
  } catch {
    return false;
  }
}

export async function probeCapabilities(css: { width: number; height: number }, imageOnly: boolean): Promise<string[]> {
  const supported = [CAP_JPEG, CAP_PNG];
  if (await decodesWebp()) supported.push(CAP_WEBP);
  if (!imageOnly && (await h264Supported(Math.round(css.width), Math.round(css.height)))) supported.push(CAP_H264);
  return supported;
}
