#!/usr/bin/env python3
"""A TCP proxy that delays every byte by a fixed time each way.

    scripts/delay_proxy.py LISTEN_PORT TARGET_PORT DELAY_MS

Stands in for `tc netem delay` where the kernel has no sch_netem: the HTTP/2
endpoints see a round trip of 2 x DELAY_MS (PINGs, window updates and data
all wait), which is what flow-control windows and BDP estimation react to.
TCP itself ends at the proxy, so only HTTP/2's own windows limit a stream.
"""

import asyncio
import sys
import time


async def pump(reader, writer, delay):
    queue = asyncio.Queue()

    async def deliver():
        while True:
            due, chunk = await queue.get()
            if chunk is None:
                break
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(chunk)
            await writer.drain()
        writer.close()

    sender = asyncio.create_task(deliver())
    while True:
        chunk = await reader.read(1 << 18)
        queue.put_nowait((time.monotonic() + delay, chunk or None))
        if not chunk:
            break
    await sender


async def main():
    listen, target, delay = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]) / 1000

    async def handle(client_reader, client_writer):
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target)
        await asyncio.gather(
            pump(client_reader, server_writer, delay),
            pump(server_reader, client_writer, delay),
            return_exceptions=True,
        )

    server = await asyncio.start_server(handle, "127.0.0.1", listen)
    async with server:
        await server.serve_forever()


asyncio.run(main())
