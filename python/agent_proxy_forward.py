"""Relays TCP connections on 127.0.0.1:PORT to the model proxy's Unix socket.

An exec agent in a container has no network (docs/agent-protocol.md, "Sandbox"); the harness mounts its model
proxy's socket into the container, and this forwarder gives agents the plain http://127.0.0.1:PORT/v1 that every
OpenAI client speaks. The container's entrypoint starts it before the agent's command:

    python3 agent_proxy_forward.py PORT SOCKET && exec sh -c "$CMD"

It binds first and only then goes to the background, so the port answers before the agent starts, and a
forwarder that cannot bind fails the container with its reason instead of leaving the agent without a model.
Standard library only: the agent image has nothing else.
"""

import os
import socket
import sys
import threading

BUFFER = 65536


def pipe(source, sink):
    """Copies one direction until it ends, then half-closes the other side so streamed answers finish cleanly."""
    try:
        while True:
            data = source.recv(BUFFER)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    finally:
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def relay(client, socket_path):
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        upstream.connect(socket_path)
    except OSError as error:
        sys.stderr.write(f"speedrun forwarder: cannot reach the model proxy at {socket_path}: {error}\n")
        client.close()
        upstream.close()
        return
    back = threading.Thread(target=pipe, args=(upstream, client), daemon=True)
    back.start()
    pipe(client, upstream)
    back.join()
    client.close()
    upstream.close()


def serve(server, socket_path):
    while True:
        client, _ = server.accept()
        threading.Thread(target=relay, args=(client, socket_path), daemon=True).start()


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: agent_proxy_forward.py PORT SOCKET\n")
        return 2
    port, socket_path = int(sys.argv[1]), sys.argv[2]
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        server.bind(("127.0.0.1", port))
        server.listen(64)
    except OSError as error:
        sys.stderr.write(f"speedrun forwarder: cannot listen on 127.0.0.1:{port}: {error}\n")
        return 1
    # Listening: the parent returns so the agent's command starts; the child serves until the container ends.
    if os.fork() != 0:
        return 0
    os.setsid()
    # Only the agent's output belongs on stdout; the forwarder's own complaints still go to stderr.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    serve(server, socket_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
