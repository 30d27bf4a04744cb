#!/usr/bin/env python3
"""One app server's network path to its dependencies (Redis, the PostgreSQL primary and replica).

The launcher starts one of these beside each server; the server connects to its dependencies through
it, so a network fault can hit exactly that server's links: `./portopt net delay MS [server-N]` adds
MS of latency to every chunk in both directions (the round trip grows by 2 x MS, as netem on both
ends would), `./portopt net cut server-N` black-holes the links (connections stay open, nothing gets
through, new ones are accepted and hear nothing: a partition, not a refusal), `./portopt net heal`
restores them and closes the connections that lost bytes while cut.

Why a userspace proxy and not tc netem or Toxiproxy: this machine's kernel has no netem qdisc and
Toxiproxy is not packaged; see the README. The state comes from a small JSON file the launcher
writes ({"server-1": {"delayMs": 200, "cut": false}, "*": {...}}), polled every 100 ms.

usage: netlink.py --name server-1 --state var/cluster/net.json LISTEN:UPSTREAM [LISTEN:UPSTREAM...]
"""
import argparse
import asyncio
import json
import os
import signal
import sys
import time

POLL_S = 0.1
CHUNK = 64 * 1024


class Faults:
    def __init__(self, name, path):
        self.name, self.path = name, path
        self.delay_s, self.cut, self.cut_epoch = 0.0, False, 0
        self._mtime = None

    def poll(self):
        try:
            mtime = os.stat(self.path).st_mtime_ns
        except FileNotFoundError:
            mtime = 0
        if mtime == self._mtime:
            return
        self._mtime = mtime
        state = {}
        if mtime:
            try:
                with open(self.path) as f:
                    state = json.load(f)
            except (OSError, ValueError) as e:  # a file being rewritten: read it again next poll
                print(f"{self.name}: cannot read {self.path}: {e}", file=sys.stderr, flush=True)
                self._mtime = None
                return
        mine = {**state.get("*", {}), **state.get(self.name, {})}
        delay_s = max(0, int(mine.get("delayMs", 0))) / 1000
        cut = bool(mine.get("cut", False))
        if cut and not self.cut:
            self.cut_epoch += 1
        if (delay_s, cut) != (self.delay_s, self.cut):
            print(f"{self.name}: links now delay={int(delay_s * 1000)}ms cut={cut}", flush=True)
        self.delay_s, self.cut = delay_s, cut


async def pump(reader, writer, faults, tainted):
    """Copies one direction, each chunk released `delay` after it arrived, in order."""
    queue = asyncio.Queue()

    async def release():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()

    sender = asyncio.create_task(release())
    try:
        while True:
            data = await reader.read(CHUNK)
            if not data:
                break
            if faults.cut:
                tainted.add(faults.cut_epoch)
                continue  # dropped on the floor, as a partitioned network would
            queue.put_nowait((time.monotonic() + faults.delay_s, data))
            if sender.done():
                break
    finally:
        queue.put_nowait((0, None))
        try:
            await sender
        except (ConnectionError, OSError):
            pass
        try:
            writer.close()
        except (ConnectionError, OSError):
            pass


async def serve_link(listen, upstream_host, upstream, faults, connections):
    async def handle(client_r, client_w):
        if faults.cut:
            # A partition: the connection hangs, nothing is forwarded; it is closed when healed.
            connections[client_w] = {faults.cut_epoch}
            try:
                while await client_r.read(CHUNK):
                    pass
            finally:
                connections.pop(client_w, None)
                client_w.close()
            return
        try:
            up_r, up_w = await asyncio.open_connection(upstream_host, upstream)
        except OSError:
            client_w.close()  # the dependency is down: the server sees its connection closed
            return
        tainted = set()
        connections[client_w] = tainted
        try:
            await asyncio.gather(pump(client_r, up_w, faults, tainted), pump(up_r, client_w, faults, tainted),
                                 return_exceptions=True)
        finally:
            connections.pop(client_w, None)
            for w in (client_w, up_w):
                w.close()

    return await asyncio.start_server(handle, "127.0.0.1", listen, reuse_address=True)


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--name", required=True)
    p.add_argument("--state", required=True)
    p.add_argument("links", nargs="+", help="LISTEN_PORT:[UPSTREAM_HOST:]UPSTREAM_PORT")
    args = p.parse_args()
    faults = Faults(args.name, args.state)
    faults.poll()
    connections = {}  # client writer -> the cut epochs in which it lost bytes
    servers = []
    for link in args.links:
        listen, _, target = link.partition(":")
        host, _, port = target.rpartition(":")
        servers.append(await serve_link(int(listen), host or "127.0.0.1", int(port), faults, connections))
    print(f"{args.name}: links {' '.join(args.links)} up", flush=True)
    stop = asyncio.Event()
    for s in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(s, stop.set)
    while not stop.is_set():
        was_cut = faults.cut
        faults.poll()
        if was_cut and not faults.cut:
            # Bytes were dropped on these connections: their streams cannot be trusted any more.
            for writer, tainted in list(connections.items()):
                if tainted:
                    writer.close()
        try:
            await asyncio.wait_for(stop.wait(), POLL_S)
        except asyncio.TimeoutError:
            pass
    for s in servers:
        s.close()


if __name__ == "__main__":
    asyncio.run(main())
