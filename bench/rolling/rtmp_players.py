#!/usr/bin/env python3
"""N RTMP players in one asyncio process that reconnect when their connection is cut.

    rtmp_players.py -n 50 -o events.jsonl rtmp://127.0.0.1:39350/live/s1

Each player connects (plain handshake), plays the stream and counts what arrives. When its connection
ends (EOF, reset, an error status) it reconnects at once, then with a short backoff while attempts fail.
Written to the events file, one JSON object a line, times as Unix seconds:

    {"t":..., "p":7, "e":"first", "ttff":0.041}                       first picture of the run
    {"t":..., "p":7, "e":"cut", "why":"eof", "up":31.2}               the connection ended
    {"t":..., "p":7, "e":"resume", "cut":..., "secs":0.35, "tries":1} first picture after reconnecting
    {"t":..., "p":7, "e":"gap", "from":..., "secs":2.9}               no picture for over --gap seconds while connected
    {"t":..., "e":"final", "players":[{"p":0,"frames":..,"bytes":..,"cuts":..,"resumed":..}, ...]}

"Picture" is a coded video frame (not a sequence header). One status line every 5 s goes to stderr.
SIGTERM or SIGINT ends the run (gaps still open are written) and writes the "final" line.
Standard library only.
"""
import argparse
import asyncio
import json
import os
import random
import signal
import struct
import sys
import time
from urllib.parse import urlsplit

# ---------------------------------------------------------------- AMF0


def amf_encode(value):
    if value is None:
        return b"\x05"
    if isinstance(value, bool):
        return b"\x01" + (b"\x01" if value else b"\x00")
    if isinstance(value, (int, float)):
        return b"\x00" + struct.pack(">d", float(value))
    if isinstance(value, str):
        raw = value.encode()
        return b"\x02" + struct.pack(">H", len(raw)) + raw
    if isinstance(value, dict):
        out = bytearray(b"\x03")
        for key, item in value.items():
            raw = key.encode()
            out += struct.pack(">H", len(raw)) + raw + amf_encode(item)
        return bytes(out + b"\x00\x00\x09")
    raise TypeError(type(value))


def amf_decode_all(data):
    values, pos = [], 0
    while pos < len(data):
        value, pos = _amf_value(data, pos)
        values.append(value)
    return values


def _amf_key(data, pos):
    (n,) = struct.unpack_from(">H", data, pos)
    return bytes(data[pos + 2:pos + 2 + n]).decode("utf-8", "replace"), pos + 2 + n


def _amf_props(data, pos):
    obj = {}
    while True:
        key, pos = _amf_key(data, pos)
        if data[pos] == 0x09:
            return obj, pos + 1
        obj[key], pos = _amf_value(data, pos)


def _amf_value(data, pos):
    marker = data[pos]
    pos += 1
    if marker == 0x00:
        return struct.unpack_from(">d", data, pos)[0], pos + 8
    if marker == 0x01:
        return data[pos] != 0, pos + 1
    if marker == 0x02:
        return _amf_key(data, pos)
    if marker == 0x03:
        return _amf_props(data, pos)
    if marker in (0x05, 0x06):
        return None, pos
    if marker == 0x08:
        return _amf_props(data, pos + 4)
    if marker == 0x0A:
        (n,) = struct.unpack_from(">I", data, pos)
        pos += 4
        items = []
        for _ in range(n):
            item, pos = _amf_value(data, pos)
            items.append(item)
        return items, pos
    if marker == 0x0B:
        return struct.unpack_from(">d", data, pos)[0], pos + 10
    if marker == 0x0C:
        (n,) = struct.unpack_from(">I", data, pos)
        return bytes(data[pos + 4:pos + 4 + n]).decode("utf-8", "replace"), pos + 4 + n
    raise ValueError(f"AMF0 marker {marker:#x} not handled")


# ---------------------------------------------------------------- chunks

MSG_SET_CHUNK_SIZE, MSG_ACK, MSG_USER_CONTROL, MSG_WINDOW_ACK = 1, 3, 4, 5
MSG_AUDIO, MSG_VIDEO, MSG_COMMAND = 8, 9, 20
HEADER_LENGTH = (11, 7, 3, 0)


def chunk(csid, msg_type, stream_id, payload, timestamp=0):
    """One message as a single fmt-0 chunk (we announce a chunk size larger than anything we send)."""
    return (bytes([csid]) + timestamp.to_bytes(3, "big") + len(payload).to_bytes(3, "big")
            + bytes([msg_type]) + struct.pack("<I", stream_id) + payload)


class ChunkStream:
    __slots__ = ("length", "type", "sid", "extended", "remaining", "parts", "keep")

    def __init__(self):
        self.length = self.type = self.sid = self.remaining = 0
        self.extended = False
        self.parts = None
        self.keep = True


class ChunkReader:
    """Splits the server's byte stream into messages. Media payloads are not kept beyond their first bytes."""

    def __init__(self, on_message):
        self.buf = bytearray()
        self.chunk_size = 128
        self.streams = {}
        self.on_message = on_message

    def feed(self, data):
        buf = self.buf
        buf += data
        pos, end = 0, len(buf)
        while True:
            if pos >= end:
                break
            b0 = buf[pos]
            fmt, csid, h = b0 >> 6, b0 & 0x3F, 1
            if csid == 0:
                if pos + 2 > end:
                    break
                csid, h = 64 + buf[pos + 1], 2
            elif csid == 1:
                if pos + 3 > end:
                    break
                csid, h = 64 + buf[pos + 1] + 256 * buf[pos + 2], 3
            mh = HEADER_LENGTH[fmt]
            if pos + h + mh > end:
                break
            st = self.streams.get(csid)
            if st is None:
                st = self.streams[csid] = ChunkStream()
            q = pos + h
            if fmt <= 2:
                extended = buf[q] == 0xFF and buf[q + 1] == 0xFF and buf[q + 2] == 0xFF
            else:
                extended = st.extended
            total = h + mh + (4 if extended else 0)
            if pos + total > end:
                break
            new_message = st.remaining == 0
            length, msg_type = st.length, st.type
            if fmt <= 1:
                length = (buf[q + 3] << 16) | (buf[q + 4] << 8) | buf[q + 5]
                msg_type = buf[q + 6]
            n = min(self.chunk_size, length if new_message else st.remaining)
            if pos + total + n > end:
                break
            # The whole chunk is here: commit its header.
            if fmt == 0:
                st.sid = struct.unpack_from("<I", buf, q + 7)[0]
            st.length, st.type, st.extended = length, msg_type, extended
            if new_message:
                st.remaining = length
                st.keep = msg_type not in (MSG_AUDIO, MSG_VIDEO)
                st.parts = bytearray()
            body = pos + total
            if st.keep:
                st.parts += buf[body:body + n]
            elif len(st.parts) < 8:
                st.parts += buf[body:body + min(n, 8 - len(st.parts))]
            st.remaining -= n
            pos = body + n
            if st.remaining == 0:
                parts, st.parts = st.parts, None
                self.on_message(st.type, st.sid, parts, st.length)
        if pos:
            del buf[:pos]


# ---------------------------------------------------------------- players


class Cut(Exception):
    pass


class Player:
    def __init__(self, run, index):
        self.run, self.p = run, index
        self.frames = self.bytes = self.cuts = self.resumed = 0
        self.first_done = False
        self.started = 0.0
        self.cut_at = None            # time of the cut we are resuming from
        self.tries = 0
        self.last_picture = None      # time of the last picture on the current connection
        self.playing = False
        self.writer = None
        self.ack_window = 2_500_000
        self.acked = 0
        self.received = 0
        self.waiters = {}
        self.status_error = None

    # -- protocol ------------------------------------------------------------------

    def on_message(self, msg_type, sid, payload, length):
        if msg_type == MSG_VIDEO:
            self.run.bytes += length
            self.bytes += length
            if len(payload) >= 2:
                codec = payload[0] & 0x0F
                is_ex_header = payload[0] & 0x80
                if is_ex_header:
                    picture = (payload[0] & 0x0F) in (1, 3)  # CodedFrames, CodedFramesX
                elif codec in (7, 12):
                    picture = payload[1] == 1
                else:
                    picture = True
                if picture:
                    self.on_picture()
        elif msg_type == MSG_AUDIO:
            self.run.bytes += length
            self.bytes += length
        elif msg_type == MSG_SET_CHUNK_SIZE:
            self.reader.chunk_size = struct.unpack(">I", bytes(payload[:4]))[0] & 0x7FFFFFFF
        elif msg_type == MSG_WINDOW_ACK:
            self.ack_window = struct.unpack(">I", bytes(payload[:4]))[0] or 2_500_000
        elif msg_type == MSG_USER_CONTROL:
            if len(payload) >= 6 and payload[0] == 0 and payload[1] == 6:  # ping request
                self.send(chunk(2, MSG_USER_CONTROL, 0, b"\x00\x07" + bytes(payload[2:6])))
        elif msg_type == MSG_COMMAND:
            try:
                values = amf_decode_all(payload)
            except Exception:
                return
            if not values:
                return
            name = values[0]
            if name in ("_result", "_error") and len(values) > 1:
                fut = self.waiters.pop(int(values[1] or 0), None)
                if fut and not fut.done():
                    fut.set_result((name, values))
            elif name == "onStatus" and len(values) > 3 and isinstance(values[3], dict):
                info = values[3]
                if info.get("level") == "error":
                    self.status_error = str(info.get("code"))
                    if self.writer:
                        self.writer.close()

    def on_picture(self):
        now = time.time()
        self.frames += 1
        run = self.run
        if self.last_picture is not None and now - self.last_picture > run.gap:
            run.emit({"t": now, "p": self.p, "e": "gap", "from": self.last_picture, "secs": round(now - self.last_picture, 3)})
        self.last_picture = now
        if not self.first_done:
            self.first_done = True
            run.emit({"t": now, "p": self.p, "e": "first", "ttff": round(now - self.started, 3)})
        if self.cut_at is not None:
            self.resumed += 1
            run.emit({"t": now, "p": self.p, "e": "resume", "cut": self.cut_at, "secs": round(now - self.cut_at, 3), "tries": self.tries})
            self.cut_at = None

    def send(self, data):
        if self.writer and not self.writer.is_closing():
            self.writer.write(data)

    async def command(self, reader, txn, csid, sid, *values):
        fut = asyncio.get_running_loop().create_future()
        self.waiters[txn] = fut
        self.send(chunk(csid, MSG_COMMAND, sid, b"".join(amf_encode(v) for v in values)))
        while not fut.done():
            data = await reader.read(65536)
            if not data:
                raise Cut("eof")
            self.on_bytes(data)
        name, answer = fut.result()
        if name != "_result":
            raise Cut("rejected")
        return answer

    def on_bytes(self, data):
        self.received += len(data)
        self.reader.feed(data)
        if self.received - self.acked >= self.ack_window:
            self.acked = self.received
            self.send(chunk(2, MSG_ACK, 0, struct.pack(">I", self.received & 0xFFFFFFFF)))

    async def session(self):
        run = self.run
        reader, self.writer = await asyncio.wait_for(asyncio.open_connection(run.host, run.port), 5)
        self.reader = ChunkReader(self.on_message)
        self.received = self.acked = 0
        self.status_error = None
        c1 = struct.pack(">II", int(time.monotonic() * 1000) & 0xFFFFFFFF, 0) + os.urandom(1528)
        self.writer.write(b"\x03" + c1)
        s = await asyncio.wait_for(reader.readexactly(1 + 1536 + 1536), 10)
        self.writer.write(s[1:1537])  # C2 echoes S1
        self.send(chunk(2, MSG_SET_CHUNK_SIZE, 0, struct.pack(">I", 65536)))
        await asyncio.wait_for(self.command(reader, 1, 3, 0, "connect", 1, {
            "app": run.app, "flashVer": "LNX 9,0,124,2", "tcUrl": run.tc_url, "fpad": False,
            "capabilities": 15, "audioCodecs": 3575, "videoCodecs": 252, "videoFunction": 1}), 10)
        answer = await asyncio.wait_for(self.command(reader, 2, 3, 0, "createStream", 2, None), 10)
        sid = int(answer[3]) if len(answer) > 3 and isinstance(answer[3], float) else 1
        self.send(chunk(8, MSG_COMMAND, sid, b"".join(amf_encode(v) for v in ("play", 0, None, run.stream, -2))))
        self.send(chunk(2, MSG_USER_CONTROL, 0, struct.pack(">HII", 3, sid, 1000)))
        self.playing = True
        self.last_picture = None
        while True:
            data = await reader.read(262144)
            if not data:
                raise Cut(self.status_error or "eof")
            self.on_bytes(data)

    async def loop(self):
        run = self.run
        self.started = time.time()
        backoff = 0.0
        while not run.stopping:
            connected_at = time.time()
            why = None
            try:
                await self.session()
            except asyncio.CancelledError:
                break
            except Cut as e:
                why = str(e)
            except asyncio.IncompleteReadError:
                why = "eof"
            except (asyncio.TimeoutError, TimeoutError):
                why = "timeout"
            except ConnectionRefusedError:
                why = "refused"
            except ConnectionResetError:
                why = "reset"
            except OSError as e:
                why = f"os:{e.errno}"
            finally:
                self.playing = False
                if self.writer:
                    self.writer.close()
                    self.writer = None
            if run.stopping:
                break
            now = time.time()
            if self.first_done and self.cut_at is None:
                # The player was watching (it had pictures, and had resumed since its last cut): a cut.
                self.cuts += 1
                self.cut_at = now
                self.tries = 0
                run.emit({"t": now, "p": self.p, "e": "cut", "why": why, "up": round(now - connected_at, 3)})
                backoff = 0.0
                self.last_picture = None
            else:
                backoff = min(2.0, max(0.25, backoff * 2))
            self.tries += 1
            if backoff:
                await asyncio.sleep(backoff * random.uniform(0.8, 1.2))

    def close_gap(self, now):
        if self.last_picture is not None and now - self.last_picture > self.run.gap:
            self.run.emit({"t": now, "p": self.p, "e": "gap", "from": self.last_picture,
                           "secs": round(now - self.last_picture, 3), "open": True})


class Run:
    def __init__(self, args):
        url = urlsplit(args.url)
        self.host, self.port = url.hostname, url.port or 1935
        path = url.path.strip("/").split("/")
        self.app, self.stream = "/".join(path[:-1]), path[-1]
        self.tc_url = f"rtmp://{self.host}:{self.port}/{self.app}"
        self.gap = args.gap
        self.out = open(args.output, "a", buffering=1)
        self.stopping = False
        self.bytes = 0

    def emit(self, obj):
        self.out.write(json.dumps(obj, separators=(",", ":")) + "\n")


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("-r", type=float, default=20, help="connects per second at start")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--gap", type=float, default=1.0, help="report pictures further apart than this (s)")
    ap.add_argument("url")
    args = ap.parse_args()
    run = Run(args)
    players = [Player(run, i) for i in range(args.n)]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    tasks = []

    async def ramp():
        for pl in players:
            tasks.append(asyncio.create_task(pl.loop()))
            await asyncio.sleep(1 / args.r)

    async def status():
        last_bytes, last_t = 0, time.time()
        while True:
            await asyncio.sleep(5)
            now = time.time()
            rate = (run.bytes - last_bytes) * 8 / (now - last_t) / 1e6
            last_bytes, last_t = run.bytes, now
            playing = sum(1 for pl in players if pl.playing)
            print(f"rtmp_players: playing={playing}/{len(players)} mbps={rate:.1f} "
                  f"cuts={sum(pl.cuts for pl in players)} resumed={sum(pl.resumed for pl in players)}",
                  file=sys.stderr, flush=True)

    ramp_task = asyncio.create_task(ramp())
    status_task = asyncio.create_task(status())
    await stop.wait()
    run.stopping = True
    ramp_task.cancel()
    status_task.cancel()
    now = time.time()
    for pl in players:
        pl.close_gap(now)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    run.emit({"t": time.time(), "e": "final", "players": [
        {"p": pl.p, "frames": pl.frames, "bytes": pl.bytes, "cuts": pl.cuts, "resumed": pl.resumed,
         "pending": pl.cut_at} for pl in players]})
    run.out.close()


if __name__ == "__main__":
    asyncio.run(main())
