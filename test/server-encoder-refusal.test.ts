/**
 * The close a viewer gets when its encoder cannot be created (1011): the
 * probe's reason when the backend or mode is unavailable, so the page can
 * show what to install; an opaque `internal error` otherwise (that case:
 * reliability-publisher.test.ts). The real addon, reporting itself built
 * without libraries through a child container.
 */
import { type Display, serve } from 'rfbcast';
import { type NativeFeatures } from 'rfbcast/testing';

import { captureLogger } from './helpers/log-capture';
import { containerWithout } from './helpers/server';
import { TestViewer } from './helpers/viewer';

let display: Display | undefined;

afterEach(async () => {
  await display?.close();
  display = undefined;
});

/** A stream whose addon claims to lack the libraries named. */
async function streamWithout(missing: Partial<NativeFeatures>, imageMode?: 'jpeg' | 'png'): Promise<Display> {
  return serve(64, 36, { port: 0, container: containerWithout(missing), logger: captureLogger().logger, ...(imageMode ? { imageMode } : {}) });
}

it('with no image library at all, the close names the missing library and its package', async () => {
  display = await streamWithout({ turbojpeg: false, png: false, webp: false });
  const v = await TestViewer.connect(display.url);
  expect(await v.closed).toEqual({
    code: 1011,
    reason: 'internal error: no image:jpeg encoder: built without libjpeg-turbo: install libturbojpeg0-dev and rebuild',
  });
});

it('when only the stream’s image mode is missing, the close names that mode’s library', async () => {
  display = await streamWithout({ png: false }, 'png');
  const v = await TestViewer.connect(display.url, ['image/png']);
  expect(await v.closed).toEqual({ code: 1011, reason: 'internal error: no image:png encoder: built without libpng: install libpng-dev and rebuild' });
});
