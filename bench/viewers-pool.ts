/**
 * Raw protocol viewers for the `viewers` suite, in a process of their own:
 * the suite runs two such pools, as real viewers sit on other machines and
 * would not share one event loop. Each viewer says hello, acks every payload
 * at once and counts what it gets. The parent asks over IPC: `add` opens
 * viewers, `counts` returns every viewer's frame count and this process's
 * CPU time, `stop` closes them.
 */
import { WebSocket } from 'ws';

const H264 = 'webcodecs/h264-annexb';

class RawViewer {
  frames = 0;
  private readonly ws: WebSocket;

  constructor(url: string, h264: boolean) {
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws.on('open', () => this.ws.send(JSON.stringify({ type: 'hello', supported: h264 ? [H264] : ['image/jpeg'] })));
    this.ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return;
      const n = data.readUInt32LE(0);
      const header = JSON.parse(data.toString('latin1', 4, 4 + n)) as { seq: number };
      this.frames++;
      this.ws.send(`{"type":"ack","seq":${header.seq},"decode_queue_size":0,"displayed":true}`);
    });
    this.ws.on('error', () => undefined);
  }

  close(): void {
    this.ws.terminate();
  }
}

const viewers: RawViewer[] = [];

process.on('message', (m: { cmd: 'add'; url: string; count: number; h264: boolean } | { cmd: 'counts' } | { cmd: 'stop' }) => {
  if (m.cmd === 'add') {
    for (let i = 0; i < m.count; i++) viewers.push(new RawViewer(m.url, m.h264));
    process.send?.({ added: viewers.length });
  } else if (m.cmd === 'counts') {
    const cpu = process.cpuUsage();
    process.send?.({ counts: viewers.map((v) => v.frames), cpuUs: cpu.user + cpu.system });
  } else {
    for (const v of viewers) v.close();
    process.exit(0);
  }
});
